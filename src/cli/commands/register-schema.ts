import { registerJsonSchema } from '../../core/register/schema.ts';
import type { COMMANDS } from '../commands.ts';
import type { Run } from '../spec.ts';

export const run: Run<(typeof COMMANDS)['register schema']> = async (_input, io) => {
  io.out(JSON.stringify(registerJsonSchema(), null, 2));
  return 0;
};
