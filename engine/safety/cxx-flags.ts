// The allow-list of extra g++ flags a variant may carry (VariantConfig.cxxFlags). Variants live in the
// project file, so a shared project must not be able to run a program, read a file into the build log
// or write outside its build folder through them: anything not listed here is refused. No flag may make
// g++ read files beside the project (-I, -L and their kin): a folder that came with a shared project
// could hold a header or library that replaces Tessera's or the system's and runs in C simulation.
import { refusal, type Refusal } from './rules';

/** One kind of allowed flag: its forms (documentation) and the test of one argument. */
export interface CxxFlagKind {
  forms: string;
  what: string;
  test(arg: string): boolean;
}

const STD = ['c++11', 'c++14', 'c++17', 'c++20', 'c++23', 'gnu++11', 'gnu++14', 'gnu++17', 'gnu++20', 'gnu++23'];

// Macro names in capitals: a lower-case name would redefine a function or keyword of the generated code
// (-Dfopen=popen turns the testbench's file reads into shell commands).
const MACRO = /^[A-Z_][A-Z0-9_]*(=[A-Za-z0-9_.+-]*)?$/;

/** The allow-list (README "Build flags" lists the same). */
export const CXX_FLAG_ALLOW_LIST: readonly CxxFlagKind[] = [
  { forms: '-O0 -O1 -O2 -O3 -Os -Og -O', what: 'optimisation level', test: (a) => /^-O[0-3sg]?$/.test(a) },
  { forms: '-g -g0 -g1 -g2 -g3 -ggdb', what: 'debug information', test: (a) => /^-g(gdb)?[0-3]?$/.test(a) },
  { forms: '-DNAME, -DNAME=VALUE (or -D and NAME[=VALUE] as two arguments)', what: 'a macro: NAME of capitals, digits and _, VALUE of letters, digits and _ . + -', test: (a) => a.startsWith('-D') && MACRO.test(a.slice(2)) },
  { forms: `-std=${STD.join('|')}`, what: 'the C++ standard', test: (a) => a.startsWith('-std=') && STD.includes(a.slice(5)) },
  {
    forms: '-w -Wall -Wextra -Wpedantic -pedantic -Werror -WNAME -Wno-NAME -Werror=NAME -Wno-error=NAME (NAME: lower-case letters, digits, + and -; an =N number allowed)',
    what: 'warnings',
    test: (a) => a === '-w' || a === '-pedantic' || /^-W(no-)?(error=)?[a-z][a-z0-9+-]+(=[0-9]+)?$/.test(a),
  },
];

/** Words for the rule every flag must meet (messages). */
export const CXX_FLAG_RULE = 'a g++ flag on the allow-list (-O0…-O3/-Os/-Og, -g, -DNAME[=VALUE], -std=c++NN, -W…/-w)';

/** Why a well-known dangerous flag is refused (a clearer message than "not on the allow-list"). */
function danger(arg: string): string | null {
  if (arg.startsWith('@')) return 'response files are refused: @FILE reads any file into the command line and the build log';
  if (arg === '-wrapper' || arg.startsWith('-wrapper')) return '-wrapper runs another program around each compiler step';
  if (/^-B/.test(arg) || arg === '--prefix' || arg.startsWith('--prefix=')) return '-B / --prefix make g++ run programs from another folder';
  if (/^-fplugin/.test(arg)) return '-fplugin loads a shared library into the compiler';
  if (/^-{1,2}specs/.test(arg)) return '-specs files can run any program';
  if (arg === '-o' || /^-o./.test(arg)) return '-o writes the output somewhere else (the build names its own files)';
  if (/^-W[lap],/.test(arg) || arg.startsWith('-Xlinker') || arg.startsWith('-Xassembler') || arg.startsWith('-Xpreprocessor')) return 'flags for the linker, assembler or preprocessor can load plugins and write files';
  if (/^-[IL]/.test(arg) || arg.startsWith('-isystem') || arg.startsWith('-iquote') || arg.startsWith('-idirafter') || arg.startsWith('-include') || arg.startsWith('-imacros') || arg.startsWith('--sysroot') || arg.startsWith('-isysroot')) {
    return 'include and library folders are refused: a header or library in a folder beside a shared project would replace Tessera\'s or the system\'s and run in C simulation (give settings as -DNAME=VALUE)';
  }
  if (/^-D[A-Za-z_]/.test(arg) && /^-D[A-Za-z0-9_]*[a-z]/.test(arg.split('=')[0])) return 'a macro NAME with lower-case letters would redefine a function or keyword of the generated code (e.g. -Dfopen=popen); macro names are capitals, digits and _';
  return null;
}

/**
 * Checks a variant's extra g++ flags against the allow-list. `flags` are the arguments as given (each one
 * argument, never split by the shell); `-D` (and the refused `-I`, `-L`) may take a value as the next argument.
 * The accepted flags come back as g++ arguments (a split `-D NAME` joined into one).
 */
export function parseCxxFlags(flags: readonly unknown[], field = 'cxxFlags'): { flags: string[]; refusals: Refusal[] } {
  const out: string[] = [];
  const refusals: Refusal[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = `${field}[${i}]`;
    const raw = flags[i];
    if (typeof raw !== 'string') {
      refusals.push(refusal('cxx-flag', f, raw, 'a string', 'give each flag as one string'));
      continue;
    }
    let arg = raw;
    if ((raw === '-D' || raw === '-I' || raw === '-L') && i + 1 < flags.length && typeof flags[i + 1] === 'string') {
      arg = raw + (flags[i + 1] as string);
      i++;
    }
    const kind = CXX_FLAG_ALLOW_LIST.find((k) => k.test(arg));
    if (!kind) {
      const why = danger(arg);
      refusals.push(refusal('cxx-flag', f, raw, CXX_FLAG_RULE, why ? `${why}; remove it` : 'remove it or use an allowed flag'));
      continue;
    }
    out.push(arg);
  }
  return { flags: out, refusals };
}

export function checkCxxFlags(flags: readonly unknown[], field = 'cxxFlags'): Refusal[] {
  return parseCxxFlags(flags, field).refusals;
}
