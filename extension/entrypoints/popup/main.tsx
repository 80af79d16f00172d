import { render } from 'preact';
import { browser } from 'wxt/browser';
import { App, isTab } from '../../components/App';
import { AskContext } from '../../components/ui';
import { ask } from '../../lib/ask';
import './style.css';

async function currentTabUrl(): Promise<string | null> {
  // activeTab: the URL of the tab the user opened the popup on.
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.url && !tab.url.startsWith(browser.runtime.getURL('/')) ? tab.url : null;
}

const requested = new URLSearchParams(location.search).get('tab');
const initialTab = isTab(requested) ? requested : undefined;
void currentTabUrl().then((tabUrl) =>
  render(
    <AskContext.Provider value={ask}>
      <App tabUrl={tabUrl} initialTab={initialTab} />
    </AskContext.Provider>,
    document.getElementById('app')!,
  ),
);
