"""One lock for every Hugging Face model load in the process.

transformers' ``from_pretrained`` swaps globals while it builds a model: it replaces
``PreTrainedModel.tie_weights`` and the ``torch.nn.init`` functions with no-ops and
sets torch's default dtype, then restores whatever it found on the way in. Two loads
that overlap in two threads can each "restore" the other's no-op, which leaves weight
tying and initialisation switched off for the rest of the process: a tied ``lm_head``
then stays uninitialised and the LLM writes garbage. Start-up loads the LLM in a
thread beside the embedder, so every load takes this lock.
"""

from __future__ import annotations

import threading

MODEL_LOADING_LOCK = threading.RLock()  # re-entrant: a conversion reloads what it wrote
