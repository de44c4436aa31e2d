import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import { mailBreachesDue } from '../../services/breaches/listBreaches.ts';
import { mailHoldsDueForReview } from '../../services/holds/holdDigest.ts';
import { deliverOutbox } from '../../services/mail/outbox.ts';
import { purgeExpiredResults } from '../../services/requests/deliverResult.ts';
import { dailyDigest } from '../../services/requests/listRequests.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

/** The request desk's daily run: digest to assignees, purge of expired result files, outbox delivery. */
export const run: Run<(typeof COMMANDS)['requests daily']> = async ({ values }, io) =>
  withApp(async (app) => {
    const digest = await dailyDigest(app, { fallbackTo: values['fallback-to'] });
    // Legal holds whose review day has come go to the privacy team (the fallback address).
    const to = values['fallback-to'];
    const holds = to
      ? await mailHoldsDueForReview(app.db, {
          to,
          today: app.now().toISOString().slice(0, 10) as IsoDate,
          publicUrl: app.config.publicUrl,
          now: app.now(),
        })
      : { mails: 0, holds: 0 };
    // Breaches whose 72-hour clock is due soon or overdue go to the privacy team too.
    const breaches = to
      ? await mailBreachesDue(app.db, { to, publicUrl: app.config.publicUrl, now: app.now() })
      : { mails: 0, breaches: 0 };
    const purged = app.config.secret ? await purgeExpiredResults(app) : 0;
    const sent = await deliverOutbox(
      app.db,
      { url: app.config.smtpUrl, from: app.config.mailFrom },
      app.now(),
    );
    if (values.json)
      printJson(io, {
        digestMails: digest.mails,
        openTasksBySystem: digest.tasksBySystem,
        holdsToReview: holds.holds,
        breachesDue: breaches.breaches,
        resultFilesPurged: purged,
        mailSent: sent.sent,
        mailFailed: sent.failed,
        smtp: Boolean(app.config.smtpUrl),
      });
    else
      io.out(
        `Digest mails: ${digest.mails}. Open fulfilment tasks: ${Object.values(digest.tasksBySystem).reduce((a, b) => a + b, 0)}. Legal holds to review: ${holds.holds}. Breaches due: ${breaches.breaches}. Result files purged: ${purged}. Mail sent: ${sent.sent}, failed: ${sent.failed}${app.config.smtpUrl ? '' : ' (SMTP_URL not set: mail waits in the outbox)'}.`,
      );
    return sent.failed > 0 ? 1 : 0;
  });
