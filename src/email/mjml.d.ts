// mjml 5 compiles asynchronously; its published types (mjml-core's) still describe the synchronous API.
declare module 'mjml' {
  export default function mjml2html(
    input: string,
    options?: { validationLevel?: 'strict' | 'soft' | 'skip'; minify?: boolean },
  ): Promise<{ html: string; errors: { message: string }[] }>;
}
