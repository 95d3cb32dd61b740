// The map of /regions and /regions/{code}: Leaflet (static/leaflet/), markers from the page's JSON
// island, tiles only when server.map_tiles names them. Popups are built as DOM nodes, never as HTML
// text: names come from the published records.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var island = document.getElementById("map-points");
  if (!element || !island || !window.L) return;
  var groups = JSON.parse(island.textContent);
  var colours = { institutions: "#0b5fa5", places: "#b5521b" };
  var map = L.map(element, { zoomSnap: 0.5, scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  var tiles = element.dataset.tiles;
  if (tiles) {
    var credit = document.createElement("span");
    credit.textContent = element.dataset.credit || "";
    L.tileLayer(tiles, { maxZoom: 18, attribution: credit.innerHTML }).addTo(map);
  }
  var regions = document.getElementById("map-regions");
  (regions ? JSON.parse(regions.textContent) : []).forEach(function (region) {
    var name = document.createElement("span");
    name.textContent = region.name;
    L.tooltip({ permanent: true, direction: "center", className: "region-name", interactive: false })
      .setLatLng([region.lat, region.lon]).setContent(name).addTo(map);
  });
  var bounds = [];
  groups.forEach(function (group) {
    var first = group.items[0];
    var marker = L.circleMarker([group.lat, group.lon], {
      radius: 7, weight: 1, color: "#1d2733", fillColor: colours[first.kind] || "#5b6672", fillOpacity: 0.85,
    });
    marker.bindPopup(popup(group));
    marker.bindTooltip(first.name + (group.items.length > 1 ? " (+" + (group.items.length - 1) + ")" : ""));
    marker.addTo(map);
    bounds.push([group.lat, group.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
  } else {
    map.fitBounds([[45, -79.8], [62.6, -57.1]]);  // Quebec
  }
  element.dataset.markers = String(bounds.length);  // read by the tests

  function popup(group) {
    var list = document.createElement("ul");
    list.className = "map-popup";
    group.items.forEach(function (item) {
      var entry = document.createElement("li");
      var name = document.createElement(item.href ? "a" : "span");
      name.textContent = item.name;
      if (item.href) name.href = item.href;
      entry.appendChild(name);
      entry.appendChild(document.createTextNode(" · " + item.kind_label));
      list.appendChild(entry);
    });
    return list;
  }
})();
