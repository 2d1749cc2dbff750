// KaTeX with its auto-render extension, bundled by scripts/build-console.sh into /katex/katex.js
// (its stylesheet and fonts beside it): loaded when a notebook first shows a LaTeX output.
export { default as renderMathInElement } from 'katex/contrib/auto-render';
