/* rbcity: draw the map and charts from option dicts built in Python
 * (rbcity.outputs.maps.echarts_map_option). Shared by the HTML report (inlined) and the web
 * dashboard (served from /static). Needs echarts.min.js loaded first; fetches nothing. */
(function (global) {
  "use strict";
  var MAP_NAME = "rbcity-prefectures";
  function ensureMap(geojson) {
    if (!global.echarts.getMap(MAP_NAME)) { global.echarts.registerMap(MAP_NAME, geojson); }
  }
  /* el: a sized DOM element; option: the dict from echarts_map_option; geojson: the shipped
   * prefecture GeoJSON (object). Returns the ECharts instance. */
  function drawMap(el, option, geojson) {
    ensureMap(geojson);
    var chart = global.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    global.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function drawChart(el, option) {
    var chart = global.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    return chart;
  }
  global.rbcity = { MAP_NAME: MAP_NAME, ensureMap: ensureMap, drawMap: drawMap, drawChart: drawChart };
})(window);
