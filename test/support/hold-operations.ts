// An Apollo plugin that keeps operations of one name waiting once their execution has started
// (after the request's policy was bound), until the test releases them: how a test holds a
// request "in flight" across a change.
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../../src/context';

export interface HeldOperations {
  plugin: ApolloServerPlugin<RequestContext>;
  /** Resolves when the first held operation has started executing. */
  started: Promise<void>;
  /** Lets every held operation go on (idempotent). */
  release(): void;
}

export function holdOperations(operationName: string): HeldOperations {
  let release!: () => void;
  let markStarted!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async executionDidStart(request) {
          if (request.operationName !== operationName) return;
          markStarted();
          await released;
        },
      };
    },
  };
  return { plugin, started, release };
}
