import { mount } from 'svelte';
import OrderApp from './OrderApp.svelte';
import './order.css';
import { i18n } from './lib/i18n.svelte.js';
import { parseOrderLink } from './lib/link.js';
import { OrderPage } from './lib/order-page.svelte.js';
import { browserStorage } from './lib/storage.js';

const target = document.getElementById('order-app');
if (!target) throw new Error('order.html is missing the #order-app element the order page mounts into.');

document.documentElement.lang = i18n.locale;
const page = new OrderPage({
  link: parseOrderLink(location.search),
  localStore: browserStorage('local'),
  sessionStore: browserStorage('session'),
  geolocation: navigator.geolocation,
});

mount(OrderApp, { target, props: { page } });
