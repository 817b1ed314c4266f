xeser-megad-pocan-rozit-belup-tapoh-fapif-kyvit-vonav-cehab-naxax
