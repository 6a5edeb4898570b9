using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace ApiKeyModule.Commands
{
    /// <summary>The user's text editor: $env:VISUAL, then $env:EDITOR, then the platform's usual one.</summary>
    internal static class Editor
    {
        // Tried in order where $VISUAL and $EDITOR name none.
        private static readonly string[] UnixEditors = { "nano", "vi" };
        private static readonly char[] CharactersToQuote = { ' ', '\t', '"' };

        public static string Command()
        {
            foreach (string variable in new[] { "VISUAL", "EDITOR" })
            {
                string? value = Environment.GetEnvironmentVariable(variable);
                if (value != null && !string.IsNullOrWhiteSpace(value))
                {
                    return value;
                }
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return "notepad";
            }
            return UnixEditors.FirstOrDefault(OnPath) ?? "vi";
        }

        /// <summary>
        /// True when a person can use an editor here: input not redirected, and pwsh not started -NonInteractive
        /// (runbooks, CI). Otherwise an editor would wait for keystrokes that never come.
        /// </summary>
        public static bool HasTerminal()
        {
            if (!Environment.UserInteractive || Console.IsInputRedirected)
            {
                return false;
            }
            return !Environment.GetCommandLineArgs().Any(IsNonInteractiveSwitch);
        }

        // pwsh takes -NonInteractive abbreviated, down to -non, and on Windows with a slash.
        private static bool IsNonInteractiveSwitch(string argument)
        {
            string name = argument.TrimStart('-', '/').ToLowerInvariant();
            return argument.Length > name.Length && name.Length >= 3 && "noninteractive".StartsWith(name, StringComparison.Ordinal);
        }

        /// <summary>Opens <paramref name="path"/> in the editor and waits for it to close; returns its exit code.</summary>
        public static int Edit(string command, string path)
        {
            List<string> words = Split(command);
            if (words.Count == 0)
            {
                throw new InvalidOperationException("The editor command is empty.");
            }
            words.Add(path);
            var start = new ProcessStartInfo(words[0], string.Join(" ", words.Skip(1).Select(QuoteArgument))) { UseShellExecute = false };
            using (Process editor = Process.Start(start))
            {
                editor.WaitForExit();
                return editor.ExitCode;
            }
        }

        /// <summary>Splits a command line as a shell would for simple cases: spaces separate, quotes group ("code --wait").</summary>
        internal static List<string> Split(string command)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            bool inWord = false;
            char quote = '\0';
            foreach (char c in command)
            {
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                else if (c == '"' || c == '\'')
                {
                    quote = c;
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }
            if (inWord)
            {
                words.Add(word.ToString());
            }
            return words;
        }

        private static string QuoteArgument(string argument) =>
            argument.Length > 0 && argument.IndexOfAny(CharactersToQuote) < 0 ? argument : "\"" + argument.Replace("\"", "\\\"") + "\"";

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, program)));
    }
}
