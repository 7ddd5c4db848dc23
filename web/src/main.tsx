import { render } from 'preact';

function App() {
  return <main aria-label="Support console">Loading…</main>;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
