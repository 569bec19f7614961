"""The statistics reporting system (统计报表): annual forms per city, roles scoped to places,
review and publication. ``scope`` says who may see and act on which city, ``forms`` builds and
reads the Excel form, ``workflow`` moves a form draft → submitted → accepted → published."""
