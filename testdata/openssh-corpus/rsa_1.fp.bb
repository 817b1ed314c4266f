xosis-fodod-votot-dibum-ryvac-rediz-naruf-votun-kevis-halis-gexux
