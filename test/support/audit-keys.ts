/**
 * Every test process appends audit entries with a fixed test key (production loads it in openApp from
 * OMBUD_SECRET_KEYS or the audit key file). A test that opens the app with openApp installs that app's keys.
 */
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';

export const TEST_AUDIT_KEYRING = `test:${Buffer.alloc(32, 7).toString('base64')}`;

installAuditChainKeys(chainKeysFrom(TEST_AUDIT_KEYRING, 'test key (test/support/audit-keys.ts)'));
