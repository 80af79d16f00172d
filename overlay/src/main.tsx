import { render } from 'preact';

/** Placeholder until the overlay widgets land: a transparent page that shows nothing. */
function Overlay() {
  return null;
}

render(<Overlay />, document.getElementById('app')!);
