import { render } from 'preact';
import { parseConfig } from './config';
import { Overlay } from './overlay';
import './styles.css';

render(<Overlay config={parseConfig(location.search)} />, document.getElementById('app')!);
