/**
 * Renders s.yaml offline the way Serverless Devs 3 (`@serverless-devs/s` 3.1.10) does for the parts s.yaml uses:
 * every top-level section but `resources` is resolved first (so `vars` may use `env()` and `config()`), then each
 * resource's props with the resolved `vars`. A string that is exactly one `${...}` becomes the expression's value
 * (an object or a list stays one); `${...}` inside a longer string is interpolated. A result that still holds a
 * `${` is resolved once more, as s does. Only the expressions s.yaml needs are understood: string literals,
 * `env('NAME'[, 'default'])` (an unset or empty variable takes the default; without one it is an error, as in s),
 * `config('AccountID')`, and member access (`vars.a.b`, `vars.a[vars.b]`). Anything else is an error, so s.yaml
 * cannot drift into syntax this renderer does not check.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What the deploy knows: the deploying shell's environment and the access's fields (`AccountID`). */
export interface DeployContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: Readonly<Record<string, string>>;
}

/** The rendered document: `resources.<name>.props` fully resolved. */
export interface RenderedServerlessYaml {
  readonly vars: Record<string, unknown>;
  readonly resources: Record<string, { component: string; props: Record<string, unknown> }>;
  /** Every variable the document reads with `env(...)`, rendered or not. */
  readonly envNames: ReadonlySet<string>;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'punct'; value: '.' | '[' | ']' | '(' | ')' | ',' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'" || c === '"') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string in \${${source}}`);
      tokens.push({ kind: 'string', value: source.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(source.slice(i))?.[0] ?? c;
      tokens.push({ kind: 'name', value: name });
      i += name.length;
    } else if ('.[](),'.includes(c)) {
      tokens.push({ kind: 'punct', value: c as '.' });
      i += 1;
    } else {
      throw new Error(`unsupported character "${c}" in \${${source}}`);
    }
  }
  return tokens;
}

/** Evaluate one `${...}` expression against `scope` (`vars`) and the deploy context. */
function evaluate(source: string, scope: Record<string, unknown>, context: DeployContext, envNames: Set<string>) {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const expect = (value: string) => {
    const token = tokens[at];
    if (token?.kind !== 'punct' || token.value !== value) throw new Error(`expected "${value}" in \${${source}}`);
    at += 1;
  };
  const expression = (): unknown => {
    const first = tokens[at];
    at += 1;
    let value: unknown;
    if (first?.kind === 'string') value = first.value;
    else if (first?.kind === 'name' && peek()?.value === '(') {
      at += 1;
      const args: unknown[] = [];
      while (peek()?.value !== ')') {
        args.push(expression());
        if (peek()?.value === ',') at += 1;
      }
      expect(')');
      value = call(first.value, args);
    } else if (first?.kind === 'name') {
      if (!Object.hasOwn(scope, first.value)) throw new Error(`${first.value} is not defined in \${${source}}`);
      value = scope[first.value];
    } else throw new Error(`unsupported expression \${${source}}`);
    for (;;) {
      const next = peek();
      if (next?.value === '.') {
        at += 1;
        const name = tokens[at];
        at += 1;
        if (name?.kind !== 'name') throw new Error(`expected a property name in \${${source}}`);
        value = member(value, name.value);
      } else if (next?.value === '[') {
        at += 1;
        const key = expression();
        expect(']');
        value = member(value, String(key));
      } else return value;
    }
  };
  const member = (value: unknown, key: string): unknown => {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      throw new Error(`\${${source}}: no "${key}"`);
    }
    return (value as Record<string, unknown>)[key];
  };
  const call = (name: string, args: unknown[]): unknown => {
    const [first, second] = args;
    if (name === 'env' && typeof first === 'string') {
      envNames.add(first);
      const value = context.env[first];
      if (value) return value;
      if (second !== undefined && second !== null) return second;
      throw new Error(`env('${first}') not found`);
    }
    if (name === 'config' && typeof first === 'string') {
      const value = context.config[first];
      if (value === undefined) throw new Error(`config('${first}') not found`);
      return value;
    }
    throw new Error(`unsupported function ${name}() in \${${source}}`);
  };
  const value = expression();
  if (at !== tokens.length) throw new Error(`unexpected text after the expression in \${${source}}`);
  return value;
}

const WHOLE = /^\$\{([^}]*)\}$/;
const INSIDE = /\$\{([^}]*)\}/g;

function resolve(
  value: unknown,
  scope: Record<string, unknown>,
  context: DeployContext,
  envNames: Set<string>,
  again = true,
): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope, context, envNames));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, scope, context, envNames)]));
  }
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const whole = WHOLE.exec(value);
  const result = whole
    ? evaluate(whole[1] ?? '', scope, context, envNames)
    : value.replace(INSIDE, (_, source: string) => String(evaluate(source, scope, context, envNames)));
  return again && typeof result === 'string' && result.includes('${')
    ? resolve(result, scope, context, envNames, false)
    : result;
}

/** Render the s.yaml at `path` for a deploy with `context`. */
export function renderServerlessYaml(path: string, context: DeployContext): RenderedServerlessYaml {
  const document = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const envNames = new Set<string>();
  const { resources, ...rest } = document;
  const rawVars = (document.vars ?? {}) as Record<string, unknown>;
  const top = resolve(rest, { vars: rawVars }, context, envNames) as Record<string, unknown>;
  const vars = (top.vars ?? {}) as Record<string, unknown>;
  const rendered: RenderedServerlessYaml['resources'] = {};
  for (const [name, resource] of Object.entries((resources ?? {}) as Record<string, unknown>)) {
    rendered[name] = resolve(resource, { vars }, context, envNames) as RenderedServerlessYaml['resources'][string];
  }
  return { vars, resources: rendered, envNames };
}
