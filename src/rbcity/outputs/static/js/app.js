/* rbcity dashboard: the overview map (ECharts scatter on lon/lat, no map tiles or CDN) and
   a city's indicator trends. Data arrives as JSON embedded in the page. */
window.rbcity = (function () {
  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }

  function drawMap(el, selectId, dataId, lang) {
    var data = readJSON(dataId);
    var node = document.getElementById(el);
    var chart = echarts.init(node, null, { renderer: "canvas" });
    var select = document.getElementById(selectId);
    function render() {
      var layer = data.layers[select.value] || {};
      var points = data.points.map(function (p) {
        return { name: p.name, id: p.id, value: p.value, itemStyle: { color: layer[p.id] || "#bbb" } };
      });
      var legend = (data.legends[select.value] || []).map(function (l) { return l[0] + " ■"; });
      chart.setOption({
        animation: false,
        title: { text: (data.legends[select.value] || []).map(function (l) { return l[0]; }).join("  "), textStyle: { fontSize: 12, fontWeight: "normal" }, left: 10, top: 5 },
        grid: { left: 50, right: 20, top: 40, bottom: 40 },
        tooltip: { formatter: function (p) { return p.data.name + " (" + p.data.id + ")"; } },
        xAxis: { type: "value", min: 73, max: 135, name: lang === "zh" ? "经度" : "lon" },
        yAxis: { type: "value", min: 17, max: 54, name: lang === "zh" ? "纬度" : "lat" },
        series: [{ type: "scatter", symbolSize: 9, data: points }]
      }, true);
      node.setAttribute("data-drawn", String(points.length));
      node.setAttribute("data-legend", legend.join("|"));
    }
    select.addEventListener("change", render);
    chart.on("click", function (p) {
      var q = lang === "en" ? "?lang=en" : "";
      window.location.href = "/cities/" + p.data.id + q;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    render();
    return chart;
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
        xAxis: { type: "value", minInterval: 1, min: "dataMin", max: "dataMax" },
        yAxis: { type: "value", scale: true, name: s.name },
        series: [{ type: "line", data: s.data, symbolSize: 6 }]
      }, true);
      node.setAttribute("data-drawn", String(s.data.length));
    }
    select.addEventListener("change", render);
    render();
    return chart;
  }

  return { drawMap: drawMap, drawTrends: drawTrends };
})();
