"""The plan's engines, built from `rbcity.methods` over the store.

One small module per mechanism of 国发〔2013〕45号, each ``run_<engine>(panel, registry, spec,
year) -> EngineOutput`` on in-memory inputs (the long store panel and the registry):
``identify`` (界定), ``classify`` (综合分类/动态调整), ``targets`` (规划评估, also takes the target
table), ``warning`` (预警), ``coordination`` (协调评价), ``assessment`` (资源枯竭城市年度绩效考核).
``specs`` loads their YAML specs from ``rbcity/config/``; ``runs`` stores and reads runs
(``latest_run``, ``latest_results``); ``assess.assess(engine, year)`` runs them all on the store.
The ``policy`` subpackage (policy evaluation, DID) is separate.
"""
