/**
 * Promises started together and then awaited one by one in a loop: when one rejects, the loop stops, and every
 * later promise that rejects has nobody listening — an unhandled rejection, which ends the process. Start them
 * with `Promise.all` / `Promise.allSettled` (or start each one inside the iteration that awaits it).
 *
 * Flags, inside a loop of the same function:
 * - `await` of a promise read out of a collection: `await promises[i]`, `await map.get(k)`, `await list.at(-1)`;
 * - `await p` where `p` is the loop variable of a `for…of` over promises;
 * - `for await (… of array)` where the array holds promises (same sequential wait, same leak).
 */
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const COLLECTION_READS = new Set(['get', 'at', 'shift', 'pop']);

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow awaiting, one at a time in a loop, promises that were started together' },
    messages: {
      stored:
        'A promise started earlier and awaited here in a loop: if another of them rejects first, its rejection is unhandled. Use Promise.all/allSettled.',
      forAwait:
        '`for await` over an array of promises: a later promise that rejects first is unhandled. Use Promise.all/allSettled.',
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services?.program) throw new Error('no-stored-promise-awaited-in-loop needs type information');
    const checker = services.program.getTypeChecker();
    const typeOf = (node) => checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node));

    const isThenable = (type) => {
      if (type.isUnion()) return type.types.some(isThenable);
      const then = type.getProperty('then');
      if (!then) return false;
      const decl = then.valueDeclaration ?? then.declarations?.[0];
      if (!decl) return false;
      return checker.getTypeOfSymbolAtLocation(then, decl).getCallSignatures().length > 0;
    };
    /** A Map, array or tuple whose values are promises (other generic types are not collections). */
    const holdsThenables = (type) => {
      if (type.isUnion()) return type.types.some(holdsThenables);
      if (checker.isArrayType(type) || checker.isTupleType(type)) {
        return (checker.getTypeArguments(type) ?? []).some(isThenable);
      }
      const name = type.getSymbol()?.getName();
      if (name !== 'Map' && name !== 'ReadonlyMap') return false;
      const value = (checker.getTypeArguments(type) ?? [])[1];
      return Boolean(value && isThenable(value));
    };

    /** The innermost loop around `node` in the same function, if any. */
    const enclosingLoop = (node) => {
      for (let n = node.parent; n; n = n.parent) {
        if (FUNCTIONS.has(n.type)) return null;
        if (LOOPS.has(n.type)) {
          // The await must be in the loop's body (or test/update), not in the iterable evaluated once.
          if (n.type === 'ForOfStatement' || n.type === 'ForInStatement') {
            if (isInside(node, n.body)) return n;
            continue;
          }
          return n;
        }
      }
      return null;
    };
    const isInside = (node, container) => node.range[0] >= container.range[0] && node.range[1] <= container.range[1];

    const isForOfVariable = (identifier, loop) => {
      for (let l = loop; l; l = l.parent) {
        if (FUNCTIONS.has(l.type)) return false;
        if (l.type !== 'ForOfStatement' || l.left.type !== 'VariableDeclaration') continue;
        const names = [];
        for (const d of l.left.declarations) collectNames(d.id, names);
        if (names.includes(identifier.name)) return true;
      }
      return false;
    };
    const collectNames = (pattern, out) => {
      if (!pattern) return;
      if (pattern.type === 'Identifier') out.push(pattern.name);
      else if (pattern.type === 'ArrayPattern') pattern.elements.forEach((e) => collectNames(e, out));
      else if (pattern.type === 'ObjectPattern')
        pattern.properties.forEach((p) => collectNames(p.value ?? p.argument, out));
      else if (pattern.type === 'AssignmentPattern') collectNames(pattern.left, out);
      else if (pattern.type === 'RestElement') collectNames(pattern.argument, out);
    };

    const unwrap = (node) =>
      node.type === 'TSNonNullExpression' || node.type === 'TSAsExpression' ? unwrap(node.expression) : node;

    return {
      AwaitExpression(node) {
        const loop = enclosingLoop(node);
        if (!loop) return;
        const arg = unwrap(node.argument);
        if (!isThenable(typeOf(node.argument))) return;
        let stored = false;
        if (arg.type === 'MemberExpression') stored = arg.computed && holdsThenables(typeOf(arg.object));
        else if (arg.type === 'Identifier') stored = isForOfVariable(arg, loop);
        else if (arg.type === 'CallExpression' && arg.callee.type === 'MemberExpression' && !arg.callee.computed) {
          const name = arg.callee.property.name;
          stored = COLLECTION_READS.has(name) && holdsThenables(typeOf(arg.callee.object));
        }
        if (stored) context.report({ node, messageId: 'stored' });
      },
      'ForOfStatement[await=true]'(node) {
        const type = typeOf(node.right);
        if (checker.isArrayType(type) || checker.isTupleType(type)) {
          if (holdsThenables(type)) context.report({ node, messageId: 'forAwait' });
        }
      },
    };
  },
};
