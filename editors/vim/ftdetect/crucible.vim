" Recipes for crucible-sh.
autocmd BufRead,BufNewFile *.crucible setfiletype crucible
