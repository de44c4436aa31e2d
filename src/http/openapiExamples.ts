/**
 * The examples of the OpenAPI document, in one table keyed by operationId: each operation's request body
 * (every operation that takes one) and the success answers of the most used ones, as the demo group's
 * systems send and read them. `completeDocument` (openapi.ts) puts them on the operations' media types as
 * named `examples`. test/http/openapi-examples.test.ts sends every body example to a real server and checks
 * every answer example against the schema the operation declares, so an example that rots fails the suite.
 *
 * Words of the demo group only (companies nestit-sverige, bokhylla, provendo, nestit-group; its purposes
 * and data categories), addresses under example.test, made-up names and ids: never real personal data.
 */

export type Example = { summary: string; value: unknown };
export type OperationExamples = {
  /** The request body's examples, by name. */
  body?: Record<string, Example>;
  /** A success answer's examples, by status and name. */
  responses?: Record<string, Record<string, Example>>;
};

/**
 * Ids the examples use. The test fills a path's parameters with ids of rows it made, and replaces these in
 * a body by them where an example names a row (a user, a submission).
 */
export const EXAMPLE_IDS = {
  request: '6f1c1d6e-0b7a-4f0e-9a51-2f7d3c1e8b90',
  groupRequest: '2b9d4e7a-5c3f-4a18-8e6b-1d0f9a7c3e52',
  submission: 'c4a7e2d1-93b6-4f05-8a2e-7b1d6c3f9e84',
  user: '8e3b1f0a-6d2c-4b7e-9f15-3a8c2d4e6b71',
  apiKey: '5d2a8c1e-7f3b-4e90-a6d4-0c9b2e1f7a38',
  webhookEndpoint: '9a6e3d2c-1b7f-4c85-b0e4-2f8d5a1c6e93',
  retentionRun: '3e7c9b1d-2a4f-4d68-9c03-5b1e8f2a7d46',
  subject: 'e1d5b8a3-4c2f-4e71-8d96-0a3f7c2b5e18',
  event: '7b4f2e9c-0d1a-4c3b-8e57-6a2d9f1c3b80',
  link: 'a8c3e5f1-2b7d-4a96-9e04-1c6b3d8f2a57',
  hold: 'd2f6a9c4-8e1b-4b37-a5d0-6c2e9f3b1a74',
  breach: '4c8e2a6f-1d3b-4f97-b2e5-9a0c7d1f3e68',
} as const;

/** A request as the API answers it (the `requestView` of schemas/requests.ts). */
const accessRequest = {
  id: EXAMPLE_IDS.request,
  reference: 'R-C4A7E2D1',
  orgId: 'nestit-sverige',
  type: 'access',
  state: 'received',
  receivedAt: '2026-03-02T09:30:00.000Z',
  dueDate: '2026-04-01',
  legalDueDate: '2026-04-02',
  maxDueDate: '2026-06-02',
  extended: false,
  assignee: null,
  verificationMethod: null,
  purposeId: null,
  linked: [],
  jointHandledBy: null,
  group: null,
  groupRequest: null,
  decision: null,
};

/** A consent event as recorded (the answer of a grant, a withdrawal and an objection). */
const consentEvent = (over: Record<string, unknown>) => ({
  event: {
    id: EXAMPLE_IDS.event,
    seq: 1042,
    orgId: 'nestit-sverige',
    subjectId: EXAMPLE_IDS.subject,
    purposeId: 'communication-subscription',
    channel: 'email',
    kind: 'grant',
    wording: null,
    noticeVersion: null,
    source: 'api',
    actor: `key:${EXAMPLE_IDS.apiKey}`,
    at: '2026-03-02T09:30:00.000Z',
    recordedAt: '2026-03-02T09:30:01.000Z',
    ...over,
  },
  replayed: false,
});

export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  // --- Data subject requests --------------------------------------------------------------------
  fileRequest: {
    body: {
      FileAccessRequest: {
        summary: 'A customer asks customer service for a copy of their data',
        value: {
          company: 'nestit-sverige',
          type: 'access',
          email: 'ada.lindqvist@example.test',
          name: 'Ada Lindqvist',
          lang: 'sv',
          details: 'Asked by phone on 2 March.',
        },
      },
      FileErasureRequestForTheGroup: {
        summary: 'Erasure in every company of the group that knows the customer',
        value: { company: 'group', type: 'erasure', email: 'ada.lindqvist@example.test', lang: 'en' },
      },
      FileObjectionFromTheShop: {
        summary: 'An objection to surveys from the shop, the identity checked by the desk (no code sent)',
        value: {
          company: 'bokhylla',
          type: 'objection',
          email: 'nils.berg@example.test',
          purposeId: 'surveys',
          lang: 'sv',
          sendCode: false,
        },
      },
    },
    responses: {
      '201': {
        Filed: {
          summary: 'Filed: one request, waiting for the customer to confirm with the e-mailed code',
          value: {
            submissionId: EXAMPLE_IDS.submission,
            reference: 'R-C4A7E2D1',
            replayed: false,
            requests: [accessRequest],
          },
        },
      },
    },
  },
  verifyRequestByCode: {
    body: {
      VerifyByCode: {
        summary: 'The six-digit code from the e-mail, with the submission id of the filing',
        value: { submissionId: EXAMPLE_IDS.submission, code: '482913' },
      },
    },
  },
  verifyRequestByAssertion: {
    body: {
      VerifyByAssertion: {
        summary: "A JWT from the shop's logged-in session, naming the same e-mail address",
        value: {
          submissionId: EXAMPLE_IDS.submission,
          assertion:
            'eyJhbGciOiJFUzI1NiIsImtpZCI6InNob3AtMSJ9.eyJzdWIiOiJjdXN0LTQyIiwiZW1haWwiOiJhZGEubGluZHF2aXN0QGV4YW1wbGUudGVzdCJ9.c2lnbmF0dXJlLW9mLXRoZS1zaG9w',
        },
      },
    },
  },
  assignRequest: {
    body: {
      AssignToAgent: {
        summary: 'Give the request to a privacy agent',
        value: { assignee: 'karin.holm@example.test' },
      },
    },
  },
  createRequestNote: {
    body: {
      InternalNote: {
        summary: 'An internal note, never shown to the customer',
        value: { note: 'Customer called again; told them we answer within the month.' },
      },
    },
  },
  verifyRequestManually: {
    body: {
      IdSeen: {
        summary: 'The identity checked in the shop (what was seen, never a copy)',
        value: { note: 'ID seen: driving licence, name matches' },
      },
    },
  },
  startRequest: { body: { Start: { summary: 'No fields', value: {} } } },
  extendRequest: {
    body: {
      ExtendForComplexity: {
        summary: 'Two more months for a complex request; the customer is told why',
        value: { reason: 'Orders in three companies and the archive must be searched.' },
      },
    },
  },
  completeRequest: {
    body: {
      CompleteAccess: {
        summary: 'Done: the customer is told the outcome',
        value: { outcome: 'The copy of your data is attached to this message.' },
      },
    },
  },
  warnOfRefusal: {
    body: {
      WarnExcessive: {
        summary: 'Warn before refusing a repeated request as excessive',
        value: { ground: 'excessive', reason: 'Fifth identical request this month.' },
      },
    },
  },
  refuseRequest: {
    body: {
      RefuseExcessive: {
        summary: 'Refuse a repeated request, after the warning',
        value: {
          ground: 'excessive',
          reason: 'Fifth identical request this month; the copy sent on 2 March is unchanged.',
        },
      },
    },
  },
  chargeRequestFee: {
    body: {
      ChargeFee: {
        summary: 'A reasonable fee for a repeated copy, after the warning',
        value: {
          ground: 'excessive',
          reason: 'A further copy of data sent twice this month.',
          amount: '150',
          currency: 'SEK',
        },
      },
    },
  },
  markRequestFeePaid: {
    body: { FeePaid: { summary: 'The fee came in', value: { note: 'Paid by Swish, reference 4471.' } } },
  },
  waiveRequestFee: {
    body: {
      WaiveFee: {
        summary: 'Waive the fee',
        value: { reason: 'The customer explained the earlier copies were lost in the post.' },
      },
    },
  },
  decideObjection: {
    body: {
      UpholdObjection: {
        summary: 'An objection to surveys upheld after balancing the interests',
        value: {
          upheld: true,
          balancingNote: 'Survey invitations are not needed to serve the customer; their interest prevails.',
        },
      },
    },
  },
  answerNoData: {
    body: {
      NoDataAnywhere: {
        summary: 'A group request for someone no company knows',
        value: { note: 'Searched the web shop, the CRM and the newsletter tool of every company: no match.' },
      },
    },
  },
  routeRequest: {
    body: {
      RouteToBokhylla: {
        summary: 'Send a group request to the company an agent found the customer at',
        value: { orgIds: ['bokhylla'], note: 'Found in the CRM of Bokhylla under an older address.' },
      },
    },
  },
  approveRequest: {
    body: {
      ApproveRectification: {
        summary: 'Approve a rectification with the corrected values, by data category',
        value: { corrections: { 'user.name': 'Ada Lindqvist Berg' } },
      },
    },
  },
  retryRequestFulfilment: { body: { Retry: { summary: 'No fields', value: {} } } },
  approveGroupRequest: {
    body: { ApproveAll: { summary: "Approve every company's request of a group erasure", value: {} } },
  },
  warnOfGroupRefusal: {
    body: {
      WarnAll: {
        summary: 'Warn, for every company, before refusing a repeated group request',
        value: { ground: 'excessive', reason: 'Fifth identical request this month.' },
      },
    },
  },
  refuseGroupRequest: {
    body: {
      RefuseAll: {
        summary: 'Refuse a repeated group request at every company, after the warning',
        value: { ground: 'excessive', reason: 'Fifth identical request this month.' },
      },
    },
  },
  extendGroupRequest: {
    body: {
      ExtendAll: {
        summary: 'Extend every company request of a group request',
        value: { reason: 'Four companies and 44 systems to search; the customer is told why.' },
      },
    },
  },
  createRequestResult: {
    body: {
      AttachExtract: {
        summary: 'Attach a file to the answer (here a small CSV), downloadable by the customer for 30 days',
        value: {
          filename: 'orders-bokhylla.csv',
          contentType: 'text/csv',
          contentBase64: 'b3JkZXIsZGF0ZSx0b3RhbApCSy0xMDQyLDIwMjYtMDEtMTQsMjQ5LjAwCg==',
          days: 30,
        },
      },
    },
  },

  // --- Consent ---------------------------------------------------------------------------------
  createConsent: {
    body: {
      GrantNewsletterAtCheckout: {
        summary: 'The customer ticked the newsletter box at checkout',
        value: {
          identity: { email: 'ada.lindqvist@example.test', customerNumber: 'NS-100482' },
          purpose: 'communication-subscription',
          channel: 'email',
          wording: 'Yes, send me offers and news from NestIT by e-mail.',
          source: 'checkout',
          at: '2026-03-02T09:30:00Z',
        },
      },
    },
    responses: {
      '201': {
        Granted: {
          summary: 'The consent as recorded',
          value: consentEvent({
            wording: 'Yes, send me offers and news from NestIT by e-mail.',
            source: 'checkout',
          }),
        },
      },
    },
  },
  createConsentWithdrawal: {
    body: {
      WithdrawNewsletter: {
        summary: 'The customer unticked the newsletter in their account',
        value: {
          identity: { email: 'ada.lindqvist@example.test' },
          purpose: 'communication-subscription',
          channel: 'email',
          source: 'preference-center',
        },
      },
    },
    responses: {
      '201': {
        Withdrawn: {
          summary: 'The withdrawal as recorded',
          value: consentEvent({ seq: 1043, kind: 'withdraw', source: 'preference-center' }),
        },
      },
    },
  },
  createObjection: {
    body: {
      ObjectToSurveys: {
        summary: 'The customer asks customer service to stop survey invitations on every channel',
        value: {
          identity: { email: 'nils.berg@example.test' },
          purpose: 'surveys',
          channel: '*',
          source: 'customer-service',
        },
      },
    },
    responses: {
      '201': {
        Objected: {
          summary: 'The objection as recorded',
          value: consentEvent({
            seq: 1044,
            orgId: 'bokhylla',
            purposeId: 'surveys',
            channel: '*',
            kind: 'object',
            source: 'customer-service',
          }),
        },
      },
    },
  },
  checkContact: {
    body: {
      ContactCheckByEmail: {
        summary: 'May we send this customer our newsletter by e-mail?',
        value: {
          identity: { email: 'ada.lindqvist@example.test' },
          purpose: 'communication-subscription',
          channel: 'email',
        },
      },
    },
    responses: {
      '200': {
        ContactCheckNoConsent: {
          summary: 'No: nobody with that address has consented',
          value: { allowed: false, basis: 'consent', reason: 'no-consent', subjectId: null },
        },
      },
    },
  },
  checkContactsInBulk: {
    body: {
      CheckNewsletterList: {
        summary: 'Which of these addresses may get the newsletter?',
        value: {
          purpose: 'communication-subscription',
          channel: 'email',
          recipients: ['ada.lindqvist@example.test', 'nils.berg@example.test'],
        },
      },
    },
    responses: {
      '200': {
        OneOfTwo: {
          summary: 'The first may get it; the second withdrew consent (refused by position in the list)',
          value: {
            purpose: 'communication-subscription',
            channel: 'email',
            total: 2,
            allowed: ['ada.lindqvist@example.test'],
            refused: [{ index: 1, reason: 'consent-withdrawn' }],
          },
        },
      },
    },
  },
  createPreferenceLink: {
    body: {
      LinkInNewsletter: {
        summary: 'A link to the preference page and one-click unsubscribe, for the footer of a newsletter',
        value: {
          identity: { email: 'ada.lindqvist@example.test' },
          purpose: 'communication-subscription',
          channel: 'email',
          days: 90,
        },
      },
    },
    responses: {
      '200': {
        Link: {
          summary: 'The links and the headers for the newsletter (tokens shortened)',
          value: {
            subjectId: EXAMPLE_IDS.subject,
            preferencesUrl:
              'https://privacy.nestit.example/privacy/preferences/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..example',
            unsubscribeUrl:
              'https://privacy.nestit.example/privacy/unsubscribe/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..example',
            headers: {
              'List-Unsubscribe':
                '<https://privacy.nestit.example/privacy/unsubscribe/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..example>',
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
            expiresAt: '2026-05-31T09:30:00.000Z',
          },
        },
      },
    },
  },
  getConsentHistory: {
    body: {
      HistoryByEmail: {
        summary: 'Every consent event of a customer, found by e-mail',
        value: { identity: { email: 'ada.lindqvist@example.test' } },
      },
    },
  },
  createCookieConsent: {
    body: {
      AcceptAnalytics: {
        summary: "The banner's record of a visitor's choice (sent by the consent SDK)",
        value: {
          consentId: 'v2xK9qLm4TzR7bN1',
          org: 'nestit-sverige',
          action: 'custom',
          categories: { necessary: true, functional: true, analytics: true, marketing: false },
          inventoryVersion: '2026-03-01',
          gpc: false,
          lang: 'sv',
          url: 'https://shop.nestit.example/sv/checkout',
        },
      },
    },
  },

  // --- Fulfilment ------------------------------------------------------------------------------
  answerFulfilmentTask: {
    body: {
      TaskDone: {
        summary: 'A manual task done by the recipient',
        value: { status: 'done', note: 'Erased in the parcel carrier portal.', records: 3 },
      },
    },
  },
  answerFulfilmentTasks: {
    body: {
      DoneForThese: {
        summary: "Two requests' tasks in the parcel carrier's portal, done with one note",
        value: {
          tasks: [
            { requestId: EXAMPLE_IDS.request, systemId: 'shipping' },
            { requestId: EXAMPLE_IDS.groupRequest, systemId: 'shipping' },
          ],
          status: 'done',
          note: 'Erased in the parcel carrier portal, batch of 7 December.',
        },
      },
    },
  },
  configureHttpConnector: {
    body: {
      ShopConnector: {
        summary: 'Let the web shop carry out requests itself, at its own endpoint (a fake secret)',
        value: {
          systemId: 'webshop',
          url: 'https://shop.nestit.example/ombud/fulfil',
          secret: 'whsec_ZXhhbXBsZS1zZWNyZXQtbm90LXJlYWwtMDAwMA==',
          timeoutMs: 10000,
          callbackHours: 72,
        },
      },
    },
  },

  // --- People, keys, webhooks, retention --------------------------------------------------------
  inviteUser: {
    body: {
      InviteAgent: {
        summary: 'Invite a customer service agent of Bokhylla',
        value: { email: 'karin.holm@example.test', name: 'Karin Holm', orgId: 'bokhylla', role: 'cs-agent' },
      },
    },
  },
  grantRole: {
    body: {
      GrantPrivacyAgent: {
        summary: 'Make a person privacy agent of the company',
        value: { userId: EXAMPLE_IDS.user, role: 'privacy-agent' },
      },
    },
  },
  createApiKey: {
    body: {
      ShopKey: {
        summary: "The web shop's key: file requests and record consent at NestIT Sverige",
        value: {
          name: 'webshop (nestit-sverige)',
          orgIds: ['nestit-sverige'],
          permissions: ['requests:write', 'consent:read', 'consent:write'],
          expiresInDays: 365,
        },
      },
    },
    responses: {
      '201': {
        Made: {
          summary: "The key, shown this once (a fake one here): store it in the shop's secrets",
          value: {
            key: 'omb_EXAMPLE_not_a_real_key_0000000000000000000',
            apiKey: {
              id: EXAMPLE_IDS.apiKey,
              name: 'webshop (nestit-sverige)',
              prefix: 'omb_EXAMPL',
              orgIds: ['nestit-sverige'],
              permissions: ['requests:write', 'consent:read', 'consent:write'],
              createdBy: `user:${EXAMPLE_IDS.user}`,
              createdAt: '2026-03-02T09:30:00.000Z',
              expiresAt: '2027-03-02T09:30:00.000Z',
              revokedAt: null,
              lastUsedAt: null,
              rotatedFrom: null,
            },
          },
        },
      },
    },
  },
  createWebhookEndpoint: {
    body: {
      EspEndpoint: {
        summary: "The e-mail service provider's endpoint for Bokhylla's consent changes",
        value: {
          url: 'https://esp.example.test/hooks/ombud',
          orgId: 'bokhylla',
          description: 'Newsletter tool: suppress on withdrawal',
        },
      },
    },
    responses: {
      '201': {
        Made: {
          summary: 'The endpoint and its signing secret, shown this once (a fake one here)',
          value: { id: EXAMPLE_IDS.webhookEndpoint, secret: 'whsec_ZXhhbXBsZS1zZWNyZXQtbm90LXJlYWw=' },
        },
      },
    },
  },
  runAnalyticsExport: {
    body: {
      Aggregate: {
        summary: 'Orders per country and product, every cell behind at least k customers, as CSV',
        value: { purpose: 'customer-analyses', export: 'orders-by-country-and-product', format: 'csv' },
      },
      Rows: {
        summary: 'Pseudonymised order rows in a new pseudonym series',
        value: { purpose: 'customer-analyses', export: 'order-rows', format: 'json', newSeries: true },
      },
    },
  },
  createHold: {
    body: {
      Dispute: {
        summary: "A customer's data kept for a dispute, across every system, reviewed in half a year",
        value: {
          reasonKind: 'dispute',
          reason: 'Claim about a damaged delivery, case T-2026-118 at the district court',
          scope: { kind: 'subject', email: 'kari.lund@example.test' },
          reviewOn: '2031-06-30',
        },
      },
      AuthorityDecision: {
        summary: "The customer-service cases kept under the authority's decision",
        value: {
          reasonKind: 'authority-decision',
          reason: 'IMY decision DI-2026-1234: keep the case files until the review ends',
          scope: { kind: 'collection', dataset: 'nestit_customer_service', collection: 'cases' },
          reviewOn: '2031-06-30',
        },
      },
    },
  },
  createBreach: {
    body: {
      OrderConfirmations: {
        summary: "Order confirmations shown to other customers: the web shop's orders over a window",
        value: {
          title: 'Order confirmations readable by other customers',
          description:
            'A caching fault showed order confirmations (name, delivery address, items) to other signed-in customers.',
          detectedAt: '2026-03-02T06:30:00Z',
          awareAt: '2026-03-02T07:30:00Z',
          window: { from: '2026-02-27T00:00:00Z', to: '2026-03-02T09:10:00Z' },
          affected: [
            { dataset: 'nestit_webshop', collection: 'orders', timeField: 'placed_at' },
            { dataset: 'nestit_webshop', collection: 'order_lines', timeField: 'orders.placed_at' },
          ],
          containment: 'The cache was switched off at 09:10 and the pages purged.',
          consequences: 'Other customers may have seen your name, delivery address and what you ordered.',
          measures: 'Be wary of mails or calls referring to your orders.',
          people: [{ name: 'Ines Incident', role: 'incident lead' }],
        },
      },
    },
  },
  updateBreach: {
    body: {
      LearntLater: {
        summary: 'What was learnt after recording: containment done, measures, a forensic analyst involved',
        value: {
          containment: 'The cache was switched off at 09:10, the pages purged and the CDN rule removed.',
          measures: 'A test of the cache rules runs before every release.',
          people: [
            { name: 'Ines Incident', role: 'incident lead' },
            { name: 'Frida Forensic', role: 'forensic analyst' },
          ],
        },
      },
      WiderWindow: {
        summary: 'The window turned out wider: the stored scope is cleared, to be scoped again',
        value: { window: { from: '2026-02-20T00:00:00Z', to: '2026-03-02T09:10:00Z' } },
      },
    },
  },
  assessBreach: {
    body: {
      HighRisk: {
        summary: 'Names and home addresses seen by strangers: high risk, the customers are told',
        value: {
          vulnerableSubjects: false,
          encrypted: false,
          level: 'high-risk',
          reason: 'Names with home addresses and purchases, seen by strangers.',
        },
      },
    },
  },
  draftBreachNotifications: {
    body: {
      Every: { summary: 'The next phase for every controller concerned', value: {} },
      One: { summary: 'A follow-up for one controller (Art. 33(4))', value: { orgId: 'provendo' } },
    },
  },
  markBreachNotified: {
    body: {
      Submitted: {
        summary: 'The drafts were submitted to the authorities',
        value: { at: '2026-03-03T15:00:00Z' },
      },
    },
  },
  tellBreachSubjects: {
    body: {
      Batches: {
        summary: 'Queue the telling of the people affected, 200 mails a batch',
        value: { batch: 200 },
      },
    },
  },
  liftHold: {
    body: {
      Settled: {
        summary: 'The dispute is settled: the rows go on the next run',
        value: { reason: 'Settled out of court on 2027-02-01; nothing more to keep' },
      },
    },
  },
  answerRetentionTask: {
    body: {
      TaskDone: {
        summary: "A manual retention task done in the carrier's portal",
        value: {
          status: 'done',
          note: 'Deleted the deliveries before the cut-off in the carrier portal.',
          records: 41,
        },
      },
    },
  },
  startRetentionRun: {
    body: {
      DryRun: {
        summary: 'Preview what a run would erase, without erasing',
        value: { dryRun: true },
      },
    },
  },

  getRequest: {
    responses: {
      '200': {
        Received: {
          summary: 'A request just filed, with its timeline',
          value: {
            request: accessRequest,
            fee: null,
            timeline: [
              {
                at: '2026-03-02T09:30:00.000Z',
                actor: `key:${EXAMPLE_IDS.apiKey}`,
                kind: 'received',
                note: null,
                details: {
                  type: 'access',
                  channel: 'api',
                  dueDate: '2026-04-01',
                  legalDueDate: '2026-04-02',
                },
              },
            ],
          },
        },
      },
    },
  },
  listRequests: {
    responses: {
      '200': {
        OneOpen: {
          summary: 'The open requests, each with how its deadline stands',
          value: { requests: [{ ...accessRequest, status: 'on-track' }] },
        },
      },
    },
  },
  getRegister: {
    responses: {
      '200': {
        Applied: {
          summary: 'The applied register (shortened here to the group and one company)',
          value: {
            revision: 3,
            contentHash: '49db930743cacad7ded5b32fe71b0ae709dbac47811e64d25e9818910afb2188',
            appliedAt: '2026-03-01T08:00:00.000Z',
            register: {
              group: {
                id: 'nestit',
                name: 'NestIT Group',
                website: 'https://nestitgroup.com',
                defaultLanguage: 'en',
                languages: ['en', 'sv', 'nb'],
                cookieReaskDays: 182,
              },
              organizations: [
                {
                  id: 'nestit-sverige',
                  legalName: 'NestIT Sverige AB',
                  registrationNumber: '559312-4489',
                  country: 'SE',
                  address: {
                    street: 'Hammarby allé 47',
                    postalCode: '120 30',
                    city: 'Stockholm',
                    country: 'SE',
                  },
                  contact: { email: 'privacy@nestit-sverige.example', web: 'https://nestit-sverige.example' },
                  supervisoryAuthority: 'se-imy',
                  parent: 'nestit-group',
                  timeZone: 'Europe/Stockholm',
                  website: 'https://nestit-sverige.example',
                  promises: { responseDays: 30, maxExtendedMonths: 2, materialChangeNoticeDays: 30 },
                  securityMeasures: [
                    {
                      en: 'Personal data is stored in systems with limited access, in secure premises.',
                      sv: 'Personuppgifter lagras i system med begränsad åtkomst, i säkra lokaler.',
                    },
                  ],
                },
              ],
              authorities: [],
              jointArrangements: [],
              systems: [],
              categoryGroups: [],
              dataCategories: [],
              purposes: [],
              retentionRules: [],
              cookieCategories: [],
              cookies: [],
              acknowledgedFindings: [],
              audiences: [],
            },
          },
        },
      },
    },
  },
  listOrganizations: {
    responses: {
      '200': {
        TheGroup: {
          summary: 'The companies of the group',
          value: [
            {
              id: 'nestit-group',
              legalName: 'NestIT Group AB',
              country: 'SE',
              registrationNumber: '559471-7547',
            },
            {
              id: 'nestit-sverige',
              legalName: 'NestIT Sverige AB',
              country: 'SE',
              registrationNumber: '559312-4489',
            },
            {
              id: 'bokhylla',
              legalName: 'Bokhyllan Nordic AB',
              country: 'SE',
              registrationNumber: '559388-2151',
            },
            { id: 'provendo', legalName: 'Provendo AS', country: 'NO', registrationNumber: '923 456 783' },
          ],
        },
      },
    },
  },
  listRetentionRuns: {
    responses: {
      '200': {
        LastNight: {
          summary: "Last night's scheduled run",
          value: {
            runs: [
              {
                id: EXAMPLE_IDS.retentionRun,
                runKey: 'daily:2026-03-02',
                today: '2026-03-02',
                dryRun: false,
                status: 'done',
                startedBy: 'system:retention',
                attempts: 1,
                error: null,
                startedAt: '2026-03-02T02:00:00.000Z',
                finishedAt: '2026-03-02T02:00:41.000Z',
                totals: { erase: 12, anonymize: 3 },
              },
            ],
          },
        },
      },
    },
  },
};
