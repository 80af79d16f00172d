import { render } from 'preact';
import { parseConfig } from './config';
import { Overlay } from './overlay';
import { urlOverrides } from './settings';
import './styles.css';
import './looks.css';

const config = parseConfig(location.search);
render(<Overlay config={config} overrides={urlOverrides(location.search, config)} />, document.getElementById('app')!);
