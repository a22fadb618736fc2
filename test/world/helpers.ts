// An evaluator written independently of the world's plan: split into +/- terms, multiply within terms.
export function evalExpression(expr: string): number {
  if (!/^\d+([+\-*]\d+)*$/.test(expr)) throw new Error(`not an expression: ${expr}`);
  const tokens = expr.match(/\d+|[+\-*]/g)!;
  let total = 0;
  let sign = 1;
  let product = Number(tokens[0]);
  for (let i = 1; i < tokens.length; i += 2) {
    const op = tokens[i]!;
    const x = Number(tokens[i + 1]);
    if (op === '*') product *= x;
    else {
      total += sign * product;
      sign = op === '+' ? 1 : -1;
      product = x;
    }
  }
  return total + sign * product;
}
