import { registerJsonSchema } from '../../core/register/schema.ts';
import type { CliIo } from '../io.ts';

export async function run(_args: string[], io: CliIo): Promise<number> {
  io.out(JSON.stringify(registerJsonSchema(), null, 2));
  return 0;
}
