1024 MD5:2e:9f:25:78:89:05:38:53:6e:05:42:38:c3:4b:38:3d id_dsa@keywright.test (DSA)
