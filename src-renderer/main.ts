import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { initDesktop } from './lib/state/desktop.svelte';

mount(App, { target: document.getElementById('app')! });
// The desktop app's menus, opened files and engine news (nothing in a browser).
initDesktop();
