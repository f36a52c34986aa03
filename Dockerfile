# One image for the API server and the web app; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
ENV HOST=0.0.0.0
EXPOSE 3000 4000
CMD ["node", "scripts/start.mjs"]
