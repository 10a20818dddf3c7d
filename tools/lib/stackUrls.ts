// The stack's published ports and URLs as the host reaches them: the one place their defaults live. The Makefile
// exports the port variables to every tool and suite it runs; compose.yaml publishes the same ones.
export const httpPort = process.env.HTTP_PORT ?? '8080';
export const httpsPort = process.env.HTTPS_PORT ?? '8443';
export const prometheusPort = process.env.PROMETHEUS_PORT ?? '9090';
/** nginx over HTTP. */
export const baseUrl = `http://127.0.0.1:${httpPort}`;
/** nginx over HTTPS: `localhost`, the name the local CA's certificate is made for. */
export const httpsUrl = `https://localhost:${httpsPort}`;
export const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
