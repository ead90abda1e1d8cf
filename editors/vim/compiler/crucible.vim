" Vim compiler for crucible recipes: `:compiler crucible`, then `:make` lints the current
" file with `crucible-sh lint` and puts every diagnostic in the quickfix list (`:copen`).
" The lines lint prints are `FILE:LINE:COL: error: MESSAGE` (or warning, note); the
" source line, the caret and the hint under each are left out.
if exists("current_compiler")
  finish
endif
let current_compiler = "crucible"

if exists(":CompilerSet") != 2
  command -nargs=* CompilerSet setlocal <args>
endif

let s:cpo_save = &cpo
set cpo&vim

CompilerSet makeprg=crucible-sh\ lint\ --color=never\ %:S
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,%f:%l:%c:\ %tarning:\ %m,%f:%l:%c:\ %tote:\ %m,%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
