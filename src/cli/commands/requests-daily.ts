import { deliverOutbox } from '../../services/mail/outbox.ts';
import { purgeExpiredResults } from '../../services/requests/deliverResult.ts';
import { dailyDigest } from '../../services/requests/listRequests.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

/** The request desk's daily run: digest to assignees, purge of expired result files, outbox delivery. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const i = args.indexOf('--fallback-to');
  const fallbackTo = i >= 0 ? args[i + 1] : undefined;
  return withApp(async (app) => {
    const digest = await dailyDigest(app, { fallbackTo });
    const purged = app.config.secret ? await purgeExpiredResults(app) : 0;
    const sent = await deliverOutbox(
      app.db,
      { url: app.config.smtpUrl, from: app.config.mailFrom },
      app.now(),
    );
    io.out(
      `Digest mails: ${digest.mails}. Result files purged: ${purged}. Mail sent: ${sent.sent}, failed: ${sent.failed}${app.config.smtpUrl ? '' : ' (SMTP_URL not set: mail waits in the outbox)'}.`,
    );
    return sent.failed > 0 ? 1 : 0;
  });
}
