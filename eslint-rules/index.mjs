import noStoredPromiseAwaitedInLoop from './no-stored-promise-awaited-in-loop.mjs';

export default { rules: { 'no-stored-promise-awaited-in-loop': noStoredPromiseAwaitedInLoop } };
