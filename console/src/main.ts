import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { ConsoleState } from './lib/console-state.svelte.js';
import { LiveFeed } from './lib/live.svelte.js';
import { AdminSession } from './lib/session.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html is missing the #app element the console mounts into.');

const session = new AdminSession();
const consoleState = new ConsoleState();
const feed = new LiveFeed({
  onFrame: (frame) => consoleState.apply(frame),
  onUnauthorized: () => {
    consoleState.clear();
    session.reject();
  },
});

mount(App, { target, props: { session, consoleState, feed } });
