// asl-validator ships no types: the part of its API the tests use.
declare module "asl-validator" {
  interface Result {
    isValid: boolean;
    errors: { message: string }[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): Result;
  export = aslValidator;
}
