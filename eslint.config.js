// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".aksemu/", "coverage/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // One clock: time is read through src/clock only (see docs/ARCHITECTURE.md).
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Read time through the clock (src/clock).",
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Read time through the clock (src/clock).",
        },
      ],
    },
  },
  {
    files: ["src/clock/**", "test/**", "bench/**", "scripts/**"],
    rules: { "no-restricted-syntax": "off" },
  },
);
