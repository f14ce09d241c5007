// `shopstream completion bash|zsh`: a completion script written from the commands and options
// registered on the app, so that it never lists an option that does not exist.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"

namespace shopstream::cli {
namespace {

// "--from --raw -i ..." for `cmd`'s options, help included.
std::string OptionWords(const CLI::App& cmd) {
  std::string words;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& l : o->get_lnames()) words += " --" + l;
    for (const std::string& s : o->get_snames()) words += " -" + s;
  }
  return words.empty() ? words : words.substr(1);
}

std::string BashScript(CLI::App& app) {
  std::string commands, cases;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    commands += (commands.empty() ? "" : " ") + sub->get_name();
    cases += "    " + sub->get_name() + ") opts=\"" + OptionWords(*sub) + "\" ;;\n";
  }
  return "# shopstream completion for bash: source <(shopstream completion bash)\n"
         "_shopstream() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" opts\n"
         "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
         "    COMPREPLY=($(compgen -W \"" +
         commands +
         " --help --version\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case \"${COMP_WORDS[1]}\" in\n" +
         cases +
         "    *) opts=\"\" ;;\n"
         "  esac\n"
         "  case \"$prev\" in\n"
         "    --log-format) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return ;;\n"
         "    --start) COMPREPLY=($(compgen -W \"earliest latest\" -- \"$cur\")); return ;;\n"
         "    --format) COMPREPLY=($(compgen -W \"table tsv\" -- \"$cur\")); return ;;\n"
         "    --compression) COMPREPLY=($(compgen -W \"zstd snappy none\" -- \"$cur\")); return "
         ";;\n"
         "    --rate) COMPREPLY=($(compgen -W \"max seed\" -- \"$cur\")); return ;;\n"
         "    completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  if [[ \"$cur\" == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -o filenames -F _shopstream shopstream\n";
}

}  // namespace

void RegisterCompletionCommand(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script for commands and options. Examples:\n"
      "  source <(shopstream completion bash)          # in ~/.bashrc\n"
      "  shopstream completion zsh > ~/.zfunc/_shopstream   # with fpath+=(~/.zfunc)");
  cmd->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  cmd->callback([&app, shell] {
    std::string script = BashScript(app);
    if (*shell == "zsh") {
      // zsh runs the bash script through its bash completion layer.
      script =
          "#compdef shopstream\n# shopstream completion for zsh\n"
          "autoload -U +X bashcompinit && bashcompinit\n" +
          script;
    }
    std::fputs(script.c_str(), stdout);
    if (std::fflush(stdout) != 0) throw CommandExit(kExitFailure, "writing the script failed");
  });
}

}  // namespace shopstream::cli
