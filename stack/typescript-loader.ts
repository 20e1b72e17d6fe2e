/**
 * The stack program's loader (Pulumi.yaml: `nodeargs: --import ./stack/typescript-loader.ts`): Node
 * itself runs the TypeScript, stripping its types (Node >= 22.18), without type-checking it, which is
 * `npm test`'s job. tsx did the same through esbuild and off-thread module hooks that every one of
 * the AWS SDK's thousands of `require`s crossed, seconds before the first resource; these hooks run
 * in the thread, map the sources' `./x.js` imports (what tsc needs) to the `./x.ts` files and leave
 * out the source-map-support of the SDK's program runner (below).
 */
import { enableCompileCache, registerHooks } from "node:module";

// V8's compiled code of every module, kept between runs (in the OS's temporary directory, written
// when the program exits).
enableCompileCache();

const isSource = (file: string) => file.endsWith(".ts") && !file.includes("/node_modules/");

/**
 * @pulumi/pulumi's program runner installs source-map-support, which then maps every frame of the
 * whole stack trace the SDK takes of each resource it registers: about 2 s of this program's way to
 * its first resource. Type stripping keeps every line and column of the sources, so they need no
 * map; only frames inside the SDK's own JavaScript stay unmapped.
 */
const SKIPPED_SOURCE_MAP_SUPPORT = "data:text/javascript,/*source-map-support/register, left out by stack/typescript-loader.ts*/";
const isProgramRunner = (url: string | undefined) => url?.endsWith("/node_modules/@pulumi/pulumi/cmd/run/index.js") ?? false;

registerHooks({
    resolve(specifier, context, nextResolve) {
        if (specifier === "source-map-support/register" && isProgramRunner(context.parentURL)) {
            return { url: SKIPPED_SOURCE_MAP_SUPPORT, format: "commonjs", shortCircuit: true };
        }
        if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL && isSource(new URL(context.parentURL).pathname)) {
            try {
                return nextResolve(specifier, context);
            } catch {
                return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
            }
        }
        return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
        return url === SKIPPED_SOURCE_MAP_SUPPORT ? { format: "commonjs", source: "", shortCircuit: true } : nextLoad(url, context);
    },
});
