/**
 * The stack program's loader (Pulumi.yaml: `nodeargs: --import ./stack/typescript-loader.ts`): Node
 * itself runs the TypeScript, stripping its types (Node >= 22.18), without type-checking it, which is
 * `npm test`'s job. tsx did the same through esbuild and off-thread module hooks that every one of
 * the AWS SDK's thousands of `require`s crossed, seconds before the first resource; these hooks run
 * in the thread and only map the sources' `./x.js` imports (what tsc needs) to the `./x.ts` files.
 */
import { enableCompileCache, registerHooks } from "node:module";

// V8's compiled code of every module, kept between runs (in the OS's temporary directory).
enableCompileCache();

const isSource = (file: string) => file.endsWith(".ts") && !file.includes("/node_modules/");

registerHooks({
    resolve(specifier, context, nextResolve) {
        if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL && isSource(new URL(context.parentURL).pathname)) {
            try {
                return nextResolve(specifier, context);
            } catch {
                return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
            }
        }
        return nextResolve(specifier, context);
    },
});
