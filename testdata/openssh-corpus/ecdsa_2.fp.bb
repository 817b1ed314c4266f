xufag-danul-putub-mokin-pugaz-covid-dofag-nihuz-sysab-genar-zaxyx
