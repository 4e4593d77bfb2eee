/* sitrep's event map, shared by the report and the dashboard.
 *
 * Leaflet with no tile server: the basemap is Natural Earth country outlines (world-atlas
 * TopoJSON), so the map draws with no network. Each event is a circle marker coloured by its
 * ACLED event type and sized by its fatalities; its SVG element carries data-event-id (and
 * data-event-type) so tests and users' scripts can find it. Article text is untrusted: labels
 * are built with textContent, never as HTML.
 *
 *   const map = SitrepMap.create(element, {world, palette, events, onSelect, tiles});
 *   map.update(events);   // redraw with another set (filters)
 */
(function (global) {
  "use strict";

  function radius(fatalities) {
    const n = Number(fatalities) || 0;
    return Math.min(22, 4 + 2.2 * Math.sqrt(n));
  }

  function colour(palette, event) {
    if (event.context) return palette.background;
    return (palette.event_types || {})[event.event_type] || palette.unknown;
  }

  function label(event) {
    const box = document.createElement("div");
    box.className = "map-label";
    const head = document.createElement("strong");
    head.textContent = [event.event_date, event.location].filter(Boolean).join(" · ");
    const kind = document.createElement("div");
    kind.textContent = event.sub_event_type || event.event_type || "";
    box.append(head, kind);
    const actors = [event.actor1, event.actor2].filter(Boolean).join(" vs ");
    if (actors) {
      const who = document.createElement("div");
      who.textContent = actors;
      box.append(who);
    }
    if (event.fatalities) {
      const dead = document.createElement("div");
      dead.textContent = event.fatalities + " reported killed";
      box.append(dead);
    }
    if (event.context) {
      const flag = document.createElement("em");
      flag.textContent = "flagged: " + event.context;
      box.append(flag);
    }
    return box;
  }

  function legend(palette) {
    const control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      const box = L.DomUtil.create("div", "map-legend");
      const types = Object.entries(palette.event_types || {});
      types.push(["Background (flagged)", palette.background]);
      for (const [name, fill] of types) {
        const row = document.createElement("div");
        const dot = document.createElement("span");
        dot.className = "dot";
        dot.style.background = fill;
        row.append(dot, document.createTextNode(name));
        box.append(row);
      }
      return box;
    };
    return control;
  }

  function create(element, options) {
    const palette = options.palette;
    const map = L.map(element, {preferCanvas: false, worldCopyJump: false, attributionControl: true,
                                zoomSnap: 0.25, zoomAnimation: false, fadeAnimation: false});
    element.style.background = palette.sea;
    // Layers added before the map has a view are drawn later, without their elements yet.
    map.setView([15, 0], 3);
    if (options.tiles) {
      L.tileLayer(options.tiles, {attribution: options.tilesAttribution || ""}).addTo(map);
    }
    if (options.world && global.topojson) {
      const land = topojson.feature(options.world, options.world.objects.countries);
      L.geoJSON(land, {
        interactive: false,
        style: {color: palette.border, weight: 0.8, fillColor: palette.land, fillOpacity: options.tiles ? 0 : 1},
      }).addTo(map);
      map.attributionControl.addAttribution("Outlines: Natural Earth");
    }
    legend(palette).addTo(map);
    const layer = L.featureGroup().addTo(map);

    function update(events) {
      layer.clearLayers();
      const placed = (events || []).filter(e => e.latitude != null && e.longitude != null);
      // big circles first, so small ones stay clickable on top
      placed.sort((a, b) => (b.fatalities || 0) - (a.fatalities || 0));
      for (const event of placed) {
        const marker = L.circleMarker([event.latitude, event.longitude], {
          radius: radius(event.fatalities), color: "#333", weight: 0.8, opacity: 0.9,
          fillColor: colour(palette, event), fillOpacity: event.context ? 0.45 : 0.8,
        });
        marker.bindTooltip(label(event), {direction: "top"});
        if (options.onSelect) marker.on("click", () => options.onSelect(event));
        marker.addTo(layer);
        const el = marker.getElement();
        if (el) {
          el.setAttribute("data-event-id", event.id);
          el.setAttribute("data-event-type", event.event_type || "");
          el.classList.add("event-marker");
        }
      }
      if (placed.length) map.fitBounds(layer.getBounds().pad(0.35), {maxZoom: 7, animate: false});
      return placed.length;
    }

    update(options.events);
    return {map, update};
  }

  global.SitrepMap = {create, radius, colour};
})(window);
