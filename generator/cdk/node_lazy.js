"use strict";
// Node-side lazy loading of a jsii provider package's resource modules, in memory only.
//
// Loaded into the jsii kernel's Node processes with `--require` (NODE_OPTIONS, set by generator/cdk/kernel.py for
// the kernel start only). The AWS provider's `lib/index.js` is a flat list of `exports.x = require("./x")`, one
// line per resource: 2,212 files and 267 MB of JavaScript, compiled in full on every synth although a synth uses
// about 16 of them. For exactly the packages named in CDK_NODE_LAZY_PACKAGES (npm names, comma-separated), this
// hook rewrites that index, as it is compiled, so that each export becomes a getter that requires its file on
// first use, the way aws-cdk-lib ships its own index. Nothing on disk changes.
//
// Same behaviour: the `exports.a = exports.b = ... = void 0;` lines still create every key, in the same order, so
// the getters take the keys' places; getters are enumerable and replace themselves with the plain value on first
// read. The jsii kernel reaches a type by walking the module's exports along its fqn
// (`@cdktf/provider-aws.elasticacheReplicationGroup.ElasticacheReplicationGroup`: exports.elasticacheReplicationGroup
// .ElasticacheReplicationGroup, jsii's Kernel._findSymbol), which reads the getter like a plain property.
//
// Strict: the index must consist only of the line shapes below (every line accounted for), else it is compiled
// unchanged and ONE line on stderr says why. CDK_NODE_LAZY_REPORT=<file> writes, at exit, which resource modules
// each rewritten package deferred and which were loaded (the tests use it).

const fs = require("fs");
const path = require("path");
const Module = require("module");

const IDENT = "[A-Za-z_$][\\w$]*";
// A relative path to a sibling resource module: "./elasticache-replication-group" or "./msk-cluster/index".
const RELATIVE = "\\./[a-z0-9][a-z0-9._-]*(?:/index)?";
const SHAPES = {
  strict: /^"use strict";$/,
  esModule: /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  declare: new RegExp(`^exports\\.${IDENT}(?: = exports\\.${IDENT})* = void 0;$`),
  // cdktf-cdktf-provider-aws 21.x (tsc, CommonJS): exports.x = require("./x");
  require: new RegExp(`^exports\\.(${IDENT}) = (require\\("${RELATIVE}"\\));$`),
  // cdktn-provider-aws 25.x (tsc with esModuleInterop): exports.x = __importStar(require("./x/index"));
  importStar: new RegExp(`^exports\\.(${IDENT}) = (__importStar\\(require\\("${RELATIVE}"\\)\\));$`),
  lineComment: /^\/\/(?: .*)?$/,
  sourceMap: /^\/\/# sourceMappingURL=\S+$/,
  blockOpen: /^\/\*\*?$/,
  blockLine: /^ \*(?: .*)?$/,
  blockClose: /^ \*\/$/,
};

// TypeScript's esModuleInterop helpers, verbatim as tsc 5 emits them (cdktn-provider-aws 25.8.1). Any other text
// is not recognised: `__importStar` is then someone else's function.
const TS_HELPERS = `var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();`.split("\n");

const LAZY_HELPER = "__cdkLazyExport";
// Appended to the rewritten index (a function declaration, so hoisted above the lines that call it).
const LAZY_HELPER_SOURCE = `function ${LAZY_HELPER}(exports, name, load) {
  function settle(value) {
    Object.defineProperty(exports, name, { value: value, writable: true, enumerable: true, configurable: true });
    return value;
  }
  Object.defineProperty(exports, name, {
    enumerable: true,
    configurable: true,
    get: function () { return settle(load()); },
    set: settle,
  });
}`;

/** The lazy version of an index's source, or the reason it is not the expected layout. */
function rewriteIndex(source) {
  const lines = source.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const declared = new Set();
  const exported = [];
  const out = [];
  let inBlockComment = false;
  let sawHelpers = false;
  const where = (i, why) => ({ reason: `line ${i + 1} ${why}: ${JSON.stringify(lines[i].slice(0, 80))}` });
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (inBlockComment) {
      if (SHAPES.blockClose.test(line)) inBlockComment = false;
      else if (!SHAPES.blockLine.test(line)) return where(i, "is not a comment line inside a block comment");
      out.push(line);
      continue;
    }
    if (line === "" || SHAPES.strict.test(line) || SHAPES.esModule.test(line) || SHAPES.sourceMap.test(line) ||
        SHAPES.lineComment.test(line)) {
      out.push(line);
      continue;
    }
    if (SHAPES.blockOpen.test(line)) {
      inBlockComment = true;
      out.push(line);
      continue;
    }
    if (line === TS_HELPERS[0] && !sawHelpers) {
      const block = lines.slice(i, i + TS_HELPERS.length);
      const differs = block.findIndex((text, k) => text !== TS_HELPERS[k]);
      if (differs !== -1 || block.length !== TS_HELPERS.length) {
        return where(i + (differs === -1 ? block.length - 1 : differs), "differs from TypeScript's __importStar helpers");
      }
      out.push(...block);
      i += TS_HELPERS.length - 1;
      sawHelpers = true;
      continue;
    }
    if (SHAPES.declare.test(line)) {
      for (const name of line.slice(0, -" = void 0;".length).split(" = ")) {
        const key = name.slice("exports.".length);
        if (declared.has(key)) return where(i, `declares '${key}' twice`);
        declared.add(key);
      }
      out.push(line);
      continue;
    }
    const match = SHAPES.require.exec(line) || (sawHelpers && SHAPES.importStar.exec(line));
    if (match) {
      const [, name, load] = match;
      exported.push(name);
      out.push(`${LAZY_HELPER}(exports, ${JSON.stringify(name)}, function () { return ${load}; });`);
      continue;
    }
    return where(i, "is not one of the expected shapes");
  }
  if (inBlockComment) return { reason: "ends inside a block comment" };
  if (exported.length === 0) return { reason: "has no `exports.x = require(...)` line" };
  const seen = new Set();
  for (const name of exported) {
    if (seen.has(name)) return { reason: `exports '${name}' twice` };
    if (!declared.has(name)) return { reason: `exports '${name}' without declaring it in a \`void 0\` line` };
    seen.add(name);
  }
  if (seen.size !== declared.size) {
    const missing = [...declared].find((name) => !seen.has(name));
    return { reason: `declares '${missing}' but never assigns it` };
  }
  out.push(LAZY_HELPER_SOURCE);
  return { source: out.join("\n") + "\n", exported };
}

/** The npm name of the package whose main module is `filename`, if it is one we were asked to rewrite. */
function targetPackage(filename, wanted, cache) {
  if (path.basename(filename) !== "index.js") return null;
  const root = path.dirname(path.dirname(filename));
  if (!cache.has(root)) {
    let found = null;
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
      if (wanted.has(manifest.name) && path.resolve(root, manifest.main || "index.js") === filename) found = manifest.name;
    } catch (error) {
      found = null; // no readable package.json two levels up: not a package main we know
    }
    cache.set(root, found);
  }
  return cache.get(root);
}

function install(wanted, reportFile) {
  const cache = new Map();
  const report = {};
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithLazyIndex(content, filename) {
    const name = targetPackage(filename, wanted, cache);
    if (name === null) return compile.call(this, content, filename);
    const result = rewriteIndex(content);
    if (!result.source) {
      process.stderr.write(
        `cdk: node-side lazy loading not applied to ${name} (${filename}): ${result.reason}; loading all of its modules\n`,
      );
      report[name] = { filename, lazy: false, reason: result.reason };
      return compile.call(this, content, filename);
    }
    report[name] = { filename, lazy: true, deferred: result.exported };
    const value = compile.call(this, result.source, filename);
    if (reportFile) {
      report[name].module = this;
    }
    return value;
  };
  if (reportFile) {
    process.on("exit", () => {
      const written = {};
      for (const [name, entry] of Object.entries(report)) {
        const { module, ...rest } = entry;
        if (module) {
          // A getter still in place is a resource module never loaded.
          rest.loaded = rest.deferred.filter((key) => !("get" in Object.getOwnPropertyDescriptor(module.exports, key)));
          rest.deferred = rest.deferred.length;
        }
        written[name] = rest;
      }
      if (Object.keys(written).length) fs.writeFileSync(reportFile, JSON.stringify(written, null, 1) + "\n");
    });
  }
}

const wanted = new Set((process.env.CDK_NODE_LAZY_PACKAGES || "").split(",").map((s) => s.trim()).filter(Boolean));
if (wanted.size > 0) install(wanted, process.env.CDK_NODE_LAZY_REPORT);

