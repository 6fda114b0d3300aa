import pino from 'pino';
import { createKafka, createEventProducer } from './src/index.js';
const kafka = createKafka({ brokers: [`127.0.0.1:1`], clientId: 'x' }, pino({ level: 'silent' }));
const p = createEventProducer(kafka);
const t = Date.now();
p.connect().then(() => console.log('connected?!'), (e) => console.log('connect failed after', Date.now() - t, (e as Error).name, (e as Error).message));
setTimeout(async () => { console.log('disconnecting at', Date.now() - t); await p.disconnect(); console.log('disconnected at', Date.now() - t); }, 3000);
setTimeout(() => { console.log('still alive at', Date.now() - t); process.exit(0); }, 40000);
