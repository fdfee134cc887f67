/**
 * Activation scripts for POSIX shells (bash/zsh/sh), fish and csh. Each puts the venv's bin
 * first on PATH, sets VIRTUAL_ENV, unsets PYTHONHOME, and defines `deactivate`.
 */
export function activateScripts(venv: string, prompt: string): Record<string, string> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const posix = `# Source this file from bash or zsh: . ${venv}/bin/activate
deactivate () {
    if [ -n "\${_WW_OLD_PATH+x}" ]; then PATH="$_WW_OLD_PATH"; export PATH; unset _WW_OLD_PATH; fi
    if [ -n "\${_WW_OLD_PYTHONHOME+x}" ]; then PYTHONHOME="$_WW_OLD_PYTHONHOME"; export PYTHONHOME; unset _WW_OLD_PYTHONHOME; fi
    if [ -n "\${_WW_OLD_PS1+x}" ]; then PS1="$_WW_OLD_PS1"; export PS1; unset _WW_OLD_PS1; fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r 2>/dev/null
    if [ "\${1:-}" != "nondestructive" ]; then unset -f deactivate; fi
}
deactivate nondestructive
VIRTUAL_ENV=${q(venv)}
export VIRTUAL_ENV
VIRTUAL_ENV_PROMPT=${q(prompt)}
export VIRTUAL_ENV_PROMPT
_WW_OLD_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH
if [ -n "\${PYTHONHOME+x}" ]; then _WW_OLD_PYTHONHOME="$PYTHONHOME"; unset PYTHONHOME; fi
if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then _WW_OLD_PS1="\${PS1:-}"; PS1="(\${VIRTUAL_ENV_PROMPT}) \${PS1:-}"; export PS1; fi
hash -r 2>/dev/null
`;
  const fish = `# Source this file from fish: source ${venv}/bin/activate.fish
function deactivate -d "Leave the virtual environment"
    if set -q _ww_old_path; set -gx PATH $_ww_old_path; set -e _ww_old_path; end
    if set -q _ww_old_pythonhome; set -gx PYTHONHOME $_ww_old_pythonhome; set -e _ww_old_pythonhome; end
    if functions -q _ww_old_fish_prompt; functions -e fish_prompt; functions -c _ww_old_fish_prompt fish_prompt; functions -e _ww_old_fish_prompt; end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive; functions -e deactivate; end
end
deactivate nondestructive
set -gx VIRTUAL_ENV ${q(venv)}
set -gx VIRTUAL_ENV_PROMPT ${q(prompt)}
set -gx _ww_old_path $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH
if set -q PYTHONHOME; set -gx _ww_old_pythonhome $PYTHONHOME; set -e PYTHONHOME; end
if not set -q VIRTUAL_ENV_DISABLE_PROMPT; and functions -q fish_prompt
    functions -c fish_prompt _ww_old_fish_prompt
    function fish_prompt; printf "(%s) " $VIRTUAL_ENV_PROMPT; _ww_old_fish_prompt; end
end
`;
  const csh = `# Source this file from csh: source ${venv}/bin/activate.csh
alias deactivate 'test $?_ww_old_path != 0 && setenv PATH "$_ww_old_path" && unset _ww_old_path; test $?_ww_old_prompt != 0 && set prompt="$_ww_old_prompt" && unset _ww_old_prompt; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\\!:*" != "nondestructive" && unalias deactivate; rehash'
deactivate nondestructive
setenv VIRTUAL_ENV ${q(venv)}
setenv VIRTUAL_ENV_PROMPT ${q(prompt)}
set _ww_old_path="$PATH"
setenv PATH "$VIRTUAL_ENV/bin:$PATH"
if ( $?prompt && ! $?VIRTUAL_ENV_DISABLE_PROMPT ) then
    set _ww_old_prompt="$prompt"
    set prompt="($VIRTUAL_ENV_PROMPT) $prompt"
endif
rehash
`;
  return { activate: posix, "activate.fish": fish, "activate.csh": csh };
}
