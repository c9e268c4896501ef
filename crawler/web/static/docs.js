// Starts Swagger UI on /docs (crawler/api/docs.py): a file, so the page needs no inline script.
// validatorUrl null: Swagger UI would otherwise send the schema to validator.swagger.io.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
  });
});
