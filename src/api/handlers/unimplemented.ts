import { Code, ConnectError } from "@connectrpc/connect";

/** The answer for RPCs whose behaviour arrives with a later part: a sentence saying what is missing, never fake data. */
export function notYet(rpc: string, arrivesWith: string): never {
  throw new ConnectError(`${rpc} is not available yet: it arrives with ${arrivesWith}`, Code.Unimplemented);
}
