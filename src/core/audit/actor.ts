/** Who did something, as the audit log names them: ids only, never personal data. */
export type Actor = { kind: 'user' | 'api-key' | 'cli' | 'system' | 'data-subject'; id: string };
export const actorString = (a: Actor) => `${a.kind}:${a.id}`;
