using System;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// The interactive argument editor of TrueNAS's CLI: a YAML document of the key's fields opens in the user's
    /// editor; on save it is validated and applied; errors come back into the file for another try.
    /// </summary>
    [Cmdlet(VerbsData.Edit, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NewSet)]
    [OutputType(typeof(IssuedApiKey), typeof(ApiKey), typeof(string))]
    public sealed class EditApiKeyCommand : SingleKeyCmdlet
    {
        private const string NewSet = "New";

        /// <summary>Apply this document as if it had been saved from the editor (no editor opens): for scripts and runbooks.</summary>
        [Parameter(ParameterSetName = NewSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = InputObjectSet)]
        [AllowEmptyString]
        [TextOnly]
        public string? Yaml { get; set; }

        /// <summary>Write the document that would open, without opening an editor.</summary>
        [Parameter]
        public SwitchParameter Template { get; set; }

        /// <summary>Write the updated key (an update writes nothing otherwise, unless it resets the key).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                KeyInStore? target = ParameterSetName != NewSet ? SelectedKey() : null;
                string template = KeyDocument.Template(target?.Key);
                if (Template)
                {
                    WriteObject(template);
                }
                else if (Yaml != null)
                {
                    Apply(target, KeyDocument.Parse(Yaml, target != null));
                }
                else
                {
                    EditInEditor(target, template);
                }
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }

        private void EditInEditor(KeyInStore? target, string template)
        {
            ApiKey? existing = target?.Key;
            if (!Editor.HasTerminal())
            {
                ThrowTerminatingError(new ApiKeyException(CmdletErrorIds.NoTerminal, ApiKeyErrorCategory.InvalidArgument,
                    "There is no terminal to run an editor in (input is redirected or pwsh runs -NonInteractive). " +
                    "Give the document with -Yaml, for example: Get-Content key.yaml -Raw | Edit-ApiKey" + (existing != null ? " -Id " + existing.Id : "") +
                    ". Edit-ApiKey -Template writes a document to start from."));
            }
            string command = Editor.Command();
            string folder;
            try
            {
                folder = EditorFolder.Prepare();
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
                return;
            }
            EditorFolder.RemoveLeftovers(folder);
            string path = EditorFolder.NewDocumentPath(folder);
            using (new DeleteOnExit(path))
            {
                EditDocument(target, template, command, path);
            }
        }

        private void EditDocument(KeyInStore? target, string template, string command, string path)
        {
            ApiKey? existing = target?.Key;
            try
            {
                UnixPermissions.CreatePrivateFile(path);
                File.WriteAllText(path, template, new UTF8Encoding(false));
                while (true)
                {
                    WriteVerbose($"Opening '{path}' with '{command}'.");
                    int exitCode = Editor.Edit(command, path);
                    if (exitCode != 0)
                    {
                        WriteWarning($"The editor '{command}' exited with code {exitCode}; nothing was changed.");
                        return;
                    }
                    string text = File.ReadAllText(path);
                    if (text == template)
                    {
                        WriteWarning("The document was saved unchanged; nothing was changed.");
                        return;
                    }
                    try
                    {
                        KeySpec? spec = KeyDocument.Parse(text, existing != null);
                        if (spec == null)
                        {
                            WriteWarning("The document is empty; nothing was changed.");
                            return;
                        }
                        Apply(target, spec);
                        return;
                    }
                    catch (ApiKeyException e) when (IsInputError(e))
                    {
                        WriteWarning(PowerShellAdvice.Message(e));
                        if (!AskToEditAgain())
                        {
                            WriteWarning("Cancelled; nothing was changed.");
                            return;
                        }
                        File.WriteAllText(path, KeyDocument.WithError(text, PowerShellAdvice.Message(e)), new UTF8Encoding(false));
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                ThrowTerminatingError(new ErrorRecord(e, CmdletErrorIds.EditorFailed, ErrorCategory.OpenError, command)
                {
                    ErrorDetails = new ErrorDetails($"Could not run the editor '{command}': {e.Message.TrimEnd('.')}. Set $env:VISUAL or $env:EDITOR to an editor command, for example 'nano' or 'code --wait'."),
                });
            }
            finally
            {
                File.Delete(path);
            }
        }

        private void Apply(KeyInStore? target, KeySpec? spec)
        {
            if (spec == null)
            {
                WriteWarning("The document is empty; nothing was changed.");
                return;
            }
            if (target == null)
            {
                if (ShouldProcess($"'{spec.Name}'", "Create API key"))
                {
                    // The document of a new key has a name (Parse refuses it otherwise): validated as Create would.
                    WriteCreated(Store.Create(NameRules.Validate(spec.Name), spec.Allowlist ?? Array.Empty<AllowlistEntry>(), spec.ExpiresAt));
                }
                return;
            }
            ApiKey existing = target.Key;
            ApiKeyChanges changes = spec.ChangesFrom(existing);
            if (changes.IsEmpty)
            {
                WriteVerbose($"The document changes nothing in {target}.");
                if (PassThru)
                {
                    WriteObject(existing);
                }
                return;
            }
            if (ShouldProcess(target.ToString(), "Update API key"))
            {
                WriteUpdated(target.Store.Update(existing, changes), changes, PassThru);
            }
        }

        // Errors the user can fix by editing; others (store failures) end the command.
        private static bool IsInputError(ApiKeyException e) =>
            e.Category == ApiKeyErrorCategory.InvalidArgument || e.Category == ApiKeyErrorCategory.InvalidData ||
            e.Category == ApiKeyErrorCategory.ResourceExists || e.Category == ApiKeyErrorCategory.SecurityError;

        private bool AskToEditAgain()
        {
            var choices = new Collection<ChoiceDescription>
            {
                new ChoiceDescription("&Yes", "Reopen the document, with the error at the top."),
                new ChoiceDescription("&No", "Cancel; nothing is changed."),
            };
            return Host.UI.PromptForChoice("The key document has errors", "Edit it again?", choices, 0) == 0;
        }
    }

    /// <summary>
    /// Takes text only: a piped object that brings -Id by property name must not also become a document through its
    /// ToString().
    /// </summary>
    internal sealed class TextOnlyAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value == null || value is string)
            {
                return value;
            }
            if (PSObject.AsPSObject(inputData).Properties["Id"] != null)
            {
                // The piped object that gave -Id (Select-Object Id, a deserialized key): it is not a document.
                return null;
            }
            throw new ArgumentTransformationMetadataException(
                "-Yaml takes the text of a key document, for example (Get-Content key.yaml -Raw).");
        }
    }
}
