4096 MD5:fb:1b:50:64:d9:cd:87:5b:11:df:8e:51:66:0d:c3:15 id_rsa_4096@keywright.test (RSA)
