"""rbcity — China's national plan for resource-based cities (资源型城市, 国发〔2013〕45号) as software.

Layers (data flows one way; a module imports only from layers listed before it):
registry → data → methods → plan → outputs.
"""

__version__ = "0.1.0"
