// Connect: the drop-in and the strict middleware are ordinary Connect middleware.
import connect from 'connect';
import http from 'node:http';
import corsgate = require('corsgate');

const app = connect();
app.use(corsgate({ origin: 'https://app.example.com', credentials: true }));
app.use('/strict', corsgate.middleware(corsgate.Policy.fromTOML('origins = ["https://app.example.com"]')));
app.use((_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.end('hello');
});
http.createServer(app).listen(3001, '127.0.0.1');
