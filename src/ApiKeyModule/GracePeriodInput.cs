using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// Lets -GracePeriod take text in the forms a key document takes: d.hh:mm:ss as PowerShell reads it, and ISO 8601
    /// durations (P1D, PT12H). Other text is left for PowerShell's own conversion, which refuses it.
    /// </summary>
    internal sealed class GracePeriodInputAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value is string text && GraceRules.TryParse(text, out TimeSpan grace) ? grace : inputData;
        }
    }
}
