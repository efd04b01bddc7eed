/**
 * Share / copy-link buttons for a public page (a microcredential, an institution): "Compartir" opens the system's
 * share sheet where the browser has one (navigator.share), "Copiar enlace" copies the page's address with a visible
 * confirmation (a status line), and when the clipboard is refused the address is shown, selected, to copy by hand.
 * The address shared is the page's own without ?lang=, so whoever opens it reads it in their language (the node's
 * link previews answer the same page: node/http/link-preview.ts). Must never send anything anywhere itself.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';

export function ShareButtons({ title, path, url: absolute }: { title: string; path?: string; url?: string }) {
  const { t } = useI18n();
  // a page of this app (`path`), or an address the node gave (a learner's published share page, `url`)
  const url = absolute ?? `${location.origin}${path ?? '/'}`;
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const manual = useRef<HTMLInputElement>(null);
  const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';
  useEffect(() => {
    if (state === 'manual') manual.current?.select();
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setState('copied');
    } catch {
      setState('manual');
    }
  };
  const share = async () => {
    try {
      await navigator.share({ title, url });
    } catch (e) {
      // the person closed the share sheet: nothing to say; anything else: copy instead
      if ((e as Error)?.name !== 'AbortError') await copy();
    }
  };

  return (
    <div class="share">
      <p class="actions">
        {canShare && (
          <button class="btn btn-secondary" type="button" onClick={() => void share()}>
            {t('share.share')}
          </button>
        )}
        <button class="btn btn-secondary" type="button" onClick={() => void copy()}>
          {t('share.copy')}
        </button>
      </p>
      <p role="status" class="hint">
        {state === 'copied' ? t('share.copied') : ''}
      </p>
      {state === 'manual' && (
        <p>
          <label for="share-url">{t('share.manual')}</label>
          <input id="share-url" ref={manual} readOnly value={url} class="mono wrap" style={{ width: '100%' }} />
        </p>
      )}
    </div>
  );
}
