/* rbcity dashboard: the overview map (options built in Python by
   rbcity.outputs.maps.echarts_map_option, drawn by rbcity-charts.js on the shipped prefecture
   GeoJSON — nothing from a CDN) and a city's indicator trends. Data arrives as JSON in the page. */
window.rbcityWeb = (function () {
  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }

  function drawMap(el, selectId, dataId, lang) {
    var options = readJSON(dataId);
    var node = document.getElementById(el);
    var select = document.getElementById(selectId);
    return fetch("/static/geo/prefectures_2020.geojson").then(function (r) { return r.json(); }).then(function (geo) {
      var chart = window.rbcity.drawMap(node, options[select.value], geo);
      function render() {
        var opt = options[select.value];
        chart.setOption(opt, true);
        var n = 0;
        opt.series.forEach(function (s) { n += s.data.length; });
        node.setAttribute("data-drawn", String(n));
        node.setAttribute("data-layer", select.value);
      }
      select.addEventListener("change", render);
      chart.on("click", function (p) {
        if (p.data && p.data.unit_id) {
          window.location.href = "/cities/" + p.data.unit_id + (lang === "en" ? "?lang=en" : "");
        }
      });
      render();
      return chart;
    });
  }

  function drawTrends(el, selectId, dataId) {
    var series = readJSON(dataId);
    var node = document.getElementById(el);
    var chart = echarts.init(node);
    var select = document.getElementById(selectId);
    Object.keys(series).forEach(function (k) {
      var o = document.createElement("option"); o.value = k; o.textContent = series[k].name; select.appendChild(o);
    });
    function render() {
      var s = series[select.value];
      chart.setOption({
        animation: false, tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1, min: "dataMin", max: "dataMax",
                 axisLabel: { formatter: function (v) { return String(v); } } },  // years: no thousands separator
        yAxis: { type: "value", scale: true, name: s.name },
        series: [{ type: "line", data: s.data, symbolSize: 6 }]
      }, true);
      node.setAttribute("data-drawn", String(s.data.length));
    }
    select.addEventListener("change", render);
    render();
    return chart;
  }

  // wire the page up from markup (the Content-Security-Policy allows no inline script)
  function init() {
    var lang = document.documentElement.lang === "en" ? "en" : "zh";
    if (document.getElementById("map") && document.getElementById("map-data")) {
      drawMap("map", "colour-by", "map-data", lang);
    }
    if (document.getElementById("trend") && document.getElementById("series-data")) {
      drawTrends("trend", "indicator-pick", "series-data");
    }
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }

  return { drawMap: drawMap, drawTrends: drawTrends };
})();
